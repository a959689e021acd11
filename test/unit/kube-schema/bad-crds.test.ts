// The emulator's CRD validation against what kube-apiserver v1.32 answered for the same documents
// (recorded in bad-crds.expected.json; test/cluster/bad-crds.test.ts re-checks the recording on a
// real server). Causes compare as sets: the real server walks sibling properties in Go map order.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { crdRules } from '../../../src/cli/commands/validate.ts';
import { formatProblem, validateFiles } from '../../../src/crds/manifests.ts';
import { validateCrd, validateCrdName } from '../../../src/emulators/kube/schema/index.ts';
import { BAD_CRDS, EXPECTED, normalise } from './bad-crds.cases.ts';

describe('validateCrd answers as kube-apiserver 1.32 on the broken-CRD table', () => {
  it('has a recorded answer for every case', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(BAD_CRDS.map((c) => c.name).sort());
  });

  it.each(BAD_CRDS)('$name', ({ name, crd }) => {
    // the name's generic object-meta check runs beside validateCrd in the emulator's API and in imctl
    const got = [...validateCrdName(crd), ...validateCrd(crd)]
      .map((c) => normalise(`${c.field}: ${c.message}`))
      .sort();
    expect(got).toEqual(EXPECTED[name]);
  });
});

describe('imctl validate on CustomResourceDefinition documents', () => {
  it('checks a CRD of any group with the same validation and prints path and message as kubectl does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imctl-crd-'));
    try {
      const bad = BAD_CRDS.find((b) => b.name === 'whole objects of two lists compared');
      const good = BAD_CRDS.find((b) => b.name === 'items of the same list compared (valid)');
      writeFileSync(join(dir, 'bad.yaml'), stringify(bad?.crd));
      writeFileSync(join(dir, 'good.yaml'), stringify(good?.crd));
      const report = validateFiles([dir], { crd: crdRules });
      expect(report.checked).toBe(2);
      expect(report.problems.map((p) => normalise(formatProblem(p)))).toEqual(
        (EXPECTED['whole objects of two lists compared'] ?? []).map(
          (l) =>
            `${join(dir, 'bad.yaml')}: CustomResourceDefinition/widgets.example.com: ${l} [FieldValueInvalid]`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
