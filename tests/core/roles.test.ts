import { startHaven, type Haven } from '../../src/main';
import { testConfig } from '../support/haven';
import { cleanupPrefix, uniquePrefix } from '../support/redis';
import { WebchatPerson } from '../support/webchat';

/** HAVEN_ROLE: a web process queues what arrives; a worker process (same Redis) answers it. */
describe('web and worker processes', () => {
  const prefix = uniquePrefix('roles');
  let web: Haven;
  let worker: Haven | undefined;
  beforeAll(async () => {
    web = await startHaven(testConfig(prefix, { HAVEN_ROLE: 'web' }));
  });
  afterAll(async () => {
    await web.stop();
    await worker?.stop();
    await cleanupPrefix(prefix);
  });

  it('queues on the web process and answers once a worker process runs', async () => {
    const person = new WebchatPerson(web);
    await person.say('hi');
    await new Promise((r) => setTimeout(r, 500));
    expect(await person.replies()).toHaveLength(0);
    expect(await web.queues.inbound.getWaitingCount()).toBe(1);

    worker = await startHaven(testConfig(prefix, { HAVEN_ROLE: 'worker' }));
    await person.expectReply(/Haven/, 10_000);
  });
});
