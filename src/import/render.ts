// Imported objects as YAML: one file per kind, numbered in creation order, objects by name, the
// comments (activation state, RAM shares, what was left out) next to what they are about.
import { Document, isNode } from 'yaml';
import type { ImportedObject } from './import.ts';

export const KIND_FILES: readonly { kind: string; file: string }[] = [
  { kind: 'ReplicationSet', file: '01-replication-set.yaml' },
  { kind: 'Contact', file: '02-contacts.yaml' },
  { kind: 'Rotation', file: '03-rotations.yaml' },
  { kind: 'EscalationPlan', file: '04-escalation-plans.yaml' },
  { kind: 'ResponsePlan', file: '05-response-plans.yaml' },
];

/** A comment's text in lines of at most `width` characters (long words stay whole). */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function renderObject(o: ImportedObject): string {
  // Quoted as YAML 1.1 readers need (kubectl's: 17:00 would be a number there, yes a boolean).
  const doc = new Document(o.manifest, { version: '1.1' });
  for (const c of o.comments) {
    const text = wrap(c.text)
      .map((l) => ` ${l}`)
      .join('\n');
    if (c.path.length === 0) {
      doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n${text}` : text;
      continue;
    }
    const node = doc.getIn(c.path, true);
    if (isNode(node)) node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
  }
  return doc.toString({ lineWidth: 0 });
}

/** File name → YAML text, for the kinds that have objects. */
export function renderFiles(objects: readonly ImportedObject[], account: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { kind, file } of KIND_FILES) {
    const mine = objects.filter((o) => o.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
    if (mine.length === 0) continue;
    const header = `# ${kind} objects imported from AWS account ${account} by imctl import. The external-arn\n# annotation makes the controller adopt each object; activation codes are never written.\n`;
    out.set(file, header + mine.map(renderObject).join('---\n'));
  }
  return out;
}
