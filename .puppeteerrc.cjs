/**
 * whatsapp-web.js drives the system Chromium (PUPPETEER_EXECUTABLE_PATH, default /usr/bin/chromium).
 * Puppeteer must not try to download its own browser at install time: that fails on machines
 * without general internet access and would be wasted weight in the production image.
 * @type {import("puppeteer").Configuration}
 */
module.exports = { skipDownload: true };
