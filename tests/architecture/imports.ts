import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** One import of one file: what it names, and the file it resolves to when it is relative. */
export interface ImportEdge {
  from: string;
  specifier: string;
  /** The file it names, relative to the repository (`src/...`), or null for a package. */
  to: string | null;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import in a set of sources (path → text), resolved against the same set. */
export function importsOf(sources: ReadonlyMap<string, string>): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [file, text] of sources) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(IMPORT)) {
      const specifier = (m[1] ?? m[2]) as string;
      if (!specifier.startsWith('.')) {
        edges.push({ from: file, specifier, to: null });
        continue;
      }
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = [base, `${base}.ts`, `${base}/index.ts`].find((c) => sources.has(c)) ?? base;
      edges.push({ from: file, specifier, to });
    }
  }
  return edges;
}

/** Every import cycle among the files (Tarjan's strongly connected components of two or more files, or a self-import). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!e.to) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || next.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** A layer rule: files under `layer` must not import what `forbids` matches (a repo path or a package name). */
export interface LayerRule {
  layer: string;
  why: string;
  forbids: (edge: ImportEdge) => boolean;
}

const under = (dir: string) => (p: string | null) => p !== null && (p === dir || p.startsWith(`${dir}/`));
const pkg = (re: RegExp) => (e: ImportEdge) => e.to === null && re.test(e.specifier);
const SDKS =
  /^(fastify|@fastify\/|botbuilder|botframework-|whatsapp-web\.js|puppeteer|node-fetch|@bull-board\/|qrcode)/;

/** The layers of the house (see ../shared/ARCHITECTURE.md). */
export const RULES: LayerRule[] = [
  {
    layer: 'src/flows',
    why: 'flows see a context and ports, never a platform, config, HTTP or Redis',
    forbids: (e) =>
      ['src/adapters', 'src/config', 'src/staff', 'src/cli', 'src/compose', 'src/http'].some((d) => under(d)(e.to)) ||
      e.to === 'src/main.ts' ||
      pkg(SDKS)(e) ||
      pkg(/^(ioredis|bullmq)$/)(e),
  },
  {
    layer: 'src/engine',
    why: 'the engine never sees adapters, SDKs, Fastify, config or the dashboard',
    forbids: (e) =>
      ['src/adapters', 'src/config', 'src/staff', 'src/cli', 'src/compose', 'src/flows', 'src/http'].some((d) =>
        under(d)(e.to),
      ) ||
      e.to === 'src/main.ts' ||
      pkg(SDKS)(e),
  },
  {
    layer: 'src/safeguarding',
    why: 'the screen is pure and synchronous: no I/O, no other layer',
    forbids: (e) =>
      (e.to !== null && !under('src/safeguarding')(e.to) && !under('src/common')(e.to)) ||
      pkg(/^(?!node:fs$|node:events$|node:string_decoder$|zod$)/)(e),
  },
  {
    layer: 'src/domain',
    why: 'domain modules never reach into adapters, flows, the dashboard, config or Fastify',
    forbids: (e) =>
      ['src/adapters', 'src/flows', 'src/staff', 'src/cli', 'src/compose', 'src/config', 'src/http'].some((d) =>
        under(d)(e.to),
      ) || pkg(/^(fastify|@fastify\/|botbuilder|whatsapp-web\.js|puppeteer)/)(e),
  },
  {
    layer: 'src/adapters',
    why: 'channels never import flows: they hand messages to the engine and send what it gives them',
    forbids: (e) => under('src/flows')(e.to) || under('src/staff')(e.to),
  },
  {
    layer: 'src/common',
    why: 'common helpers depend on nothing of Haven',
    forbids: (e) => e.to !== null && !under('src/common')(e.to),
  },
];

/** Every edge that breaks a rule, as "file -> import (why)". */
export function violations(edges: readonly ImportEdge[], rules: readonly LayerRule[] = RULES): string[] {
  const out: string[] = [];
  for (const e of edges) {
    for (const r of rules) {
      if (under(r.layer)(e.from) && r.forbids(e)) out.push(`${e.from} -> ${e.to ?? e.specifier} (${r.why})`);
    }
  }
  return out;
}

/** Every .ts file under a folder of the repository, keyed by its repo-relative path. */
export function readTree(root: string, dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel))) {
      const child = `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (child.endsWith('.ts')) files.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  walk(dir);
  return files;
}
