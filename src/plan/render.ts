// The plan as text for a terminal or a CI log: one line per object in dependency order, the field
// differences under each update or refusal, and a closing count.
import { renderFieldDiff } from './format.ts';
import type { PlanEntry, PlanOutput } from './schema.ts';

const SIGN: Record<PlanEntry['action'], string> = {
  create: '+',
  update: '~',
  'no-change': '=',
  refused: '!',
};
const WORD: Record<PlanEntry['action'], string> = {
  create: 'create',
  update: 'update',
  'no-change': 'no change',
  refused: 'would be refused',
};

export function renderPlan(p: PlanOutput, color: boolean): string {
  const lines: string[] = [];
  for (const a of p.accounts)
    lines.push(
      a.error
        ? `account ${a.name}: ${a.error}`
        : `account ${a.name}${a.callerArn ? `: ${a.accountId ?? ''} as ${a.callerArn}` : ': the controller’s own credentials'}`,
    );
  if (p.accounts.length) lines.push('');
  for (const e of p.objects) {
    const who = `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}`;
    lines.push(`${SIGN[e.action]} ${who}: ${WORD[e.action]}${e.identity ? ` (${e.identity})` : ''}`);
    if (e.reason || (e.message && e.action !== 'no-change'))
      lines.push(`    ${e.reason ?? ''}${e.reason && e.message ? ': ' : ''}${e.message ?? ''}`);
    else if (e.message) lines.push(`    ${e.message}`);
    for (const d of e.diff) for (const l of renderFieldDiff(d, color)) lines.push(`    ${l}`);
  }
  const s = p.summary;
  lines.push(
    '',
    `Plan: ${s.create} to create, ${s.update} to update, ${s.noChange} unchanged, ${s.refused} would be refused.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Refusals that only wait (on a reference outside the planned files): a change, not an error. */
const WAITING = new Set(['ReferencesNotReady', 'ReplicationSetNotReady']);

/**
 * As `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes, 1 when the controller would
 * refuse an object (a spec error, denied access): a pull request should not merge that.
 */
export function exitCodeOf(p: PlanOutput): 0 | 1 | 2 {
  if (p.objects.some((e) => e.action === 'refused' && !WAITING.has(e.reason ?? ''))) return 1;
  return p.objects.some((e) => e.action !== 'no-change') ? 2 : 0;
}
