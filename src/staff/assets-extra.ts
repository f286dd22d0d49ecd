/** Styles for the history, grouped alerts, channel states and warnings (added to the dashboard's stylesheet). */
export const EXTRA_CSS = `
.badge.warn { background: #8a4500; } .badge.off { background: #5c5c66; }
.warning { background: #fdecea; border: 2px solid var(--urgent); color: var(--urgent); font-weight: 600; padding: .5rem .75rem; border-radius: .35rem; }
.warning-text { color: var(--urgent); }
.card.unsafe { border: 2px solid var(--high); }
.card.off { background: #f1f0f5; }
.grouped-alerts { list-style: none; margin: .5rem 0 0; padding: 0; }
.alert.grouped { border-top: 1px solid var(--line); padding: .6rem 0 .4rem; }
.alert.grouped h3 { font-size: 1rem; margin: 0 0 .25rem; }
details.views summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
.view-people { margin: .25rem 0 .5rem; }
.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; align-items: end; }
table.history-table { width: 100%; border-collapse: collapse; background: #fff; }
table.history-table th, table.history-table td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.table-wrap { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) { table.history-table th, table.history-table td { padding: .35rem .3rem; font-size: .9rem; } }
.subnav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: 0 0 .75rem; }
`;
