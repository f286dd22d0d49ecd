import { CATEGORIES } from '../../src/safeguarding/types';
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';
import { measure, readCases, report } from './metrics';

const DEV_SET = path.resolve(__dirname, '../../../shared/safeguarding-dev.jsonl');
const OWN_SET = path.resolve(__dirname, '../fixtures/safeguarding/cases.jsonl');
/** Written independently of the lexicon (before reading it), as a check on generalisation. */
const HELD_OUT = path.resolve(__dirname, '../fixtures/safeguarding/heldout.jsonl');
/** A third set, also written before reading the lexicon: indirect, minimised, third-person and slang wording. */
const FRESH = path.resolve(__dirname, '../fixtures/safeguarding/fresh.jsonl');
/** 60 sentences written before the co-occurrence layer (35 alerts, 25 hard negatives), then used to tune it. */
const PROBE = path.resolve(__dirname, '../fixtures/safeguarding/probe.jsonl');
/** Further new sentences written in rounds while building the co-occurrence layer (each measured, then tuned on). */
const PROBE_TUNE = path.resolve(__dirname, '../fixtures/safeguarding/probe-tune.jsonl');
/**
 * 300 sentences (150 alerts) written blind, independently of the lexicon, then tuned on: the misses were turned into
 * general co-occurrence rules and entries (not one phrase per line), so this set no longer measures generalisation.
 */
const BLIND_TUNE = path.resolve(__dirname, '../fixtures/safeguarding/blind-tune.jsonl');

describe('screen accuracy', () => {
  const devCases = readCases(DEV_SET);
  const devTest = devCases ? it : it.skip;
  if (!devCases) console.log(`safeguarding dev set not found at ${DEV_SET}; skipping its accuracy test`);

  devTest('shared development set: recall ≥ 0.95, false-alarm rate ≤ 0.10', () => {
    const m = measure(defaultScreen(), devCases ?? []);
    console.log(report('dev set', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.1);
  });

  it('own labelled cases: recall ≥ 0.95, false-alarm rate ≤ 0.10, category accuracy ≥ 0.8', () => {
    const cases = readCases(OWN_SET);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(250);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('own cases', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.1);
    expect(m.categoryAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('held-out cases: recall ≥ 0.9, false-alarm rate ≤ 0.10, category accuracy ≥ 0.8', () => {
    const cases = readCases(HELD_OUT);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(300);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('held-out cases', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.1);
    expect(m.categoryAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('fresh cases: recall ≥ 0.9, false-alarm rate ≤ 0.10, category accuracy ≥ 0.8', () => {
    const cases = readCases(FRESH);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(250);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('fresh cases', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.1);
    expect(m.categoryAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('probe cases: recall ≥ 0.95, false-alarm rate ≤ 0.08, category accuracy ≥ 0.9', () => {
    const cases = readCases(PROBE);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(60);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('probe cases', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.08);
    expect(m.categoryAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  // Written blind and never trained or tuned on (see tests/fixtures/safeguarding-blind/README.md): the honest
  // measure of how the screen generalises. The floors only catch a clear regression.
  it.each(['blind2.jsonl', 'blind3.jsonl'])('blind set %s: recall ≥ 0.88, false-alarm rate ≤ 0.14', (file) => {
    const cases = readCases(path.resolve(__dirname, '../fixtures/safeguarding-blind', file));
    expect((cases ?? []).length).toBeGreaterThanOrEqual(200);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report(`blind set ${file}`, m));
    expect(m.recall).toBeGreaterThanOrEqual(0.88);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.14);
  });

  it('everyday chat (greetings, commands, join codes, answers, caring routine): false-alarm rate ≤ 0.01', () => {
    // Trained on by the learned layer: this checks that ordinary messages stay quiet, not generalisation.
    const cases = readCases(path.resolve(__dirname, '../fixtures/safeguarding/everyday.jsonl'));
    expect((cases ?? []).length).toBeGreaterThanOrEqual(300);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('everyday chat', m));
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.01);
  });

  it('co-occurrence tuning rounds: recall ≥ 0.95, false-alarm rate ≤ 0.10', () => {
    const cases = readCases(PROBE_TUNE);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(200);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('co-occurrence tuning rounds', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.1);
  });

  it('blind set (written blind, then tuned on): recall ≥ 0.92, false-alarm rate ≤ 0.08', () => {
    const cases = readCases(BLIND_TUNE);
    expect(cases).toBeDefined();
    expect((cases ?? []).length).toBeGreaterThanOrEqual(300);
    const m = measure(defaultScreen(), cases ?? []);
    console.log(report('blind set (tuned on)', m));
    expect(m.recall).toBeGreaterThanOrEqual(0.92);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.08);
  });

  it('own cases cover every category, positive and negative kinds', () => {
    const cases = readCases(OWN_SET) ?? [];
    const positives = new Set(cases.filter((c) => c.alert).map((c) => c.category));
    const negatives = new Set(cases.filter((c) => !c.alert).map((c) => c.category));
    for (const c of CATEGORIES) {
      expect(positives).toContain(c);
    }
    for (const k of ['caring_routine', 'figurative', 'topic_mention', 'everyday']) expect(negatives).toContain(k);
  });
});
