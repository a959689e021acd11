// Renders docs/api.md from the registry: prose per kind plus a field table (type, required,
// default, constraints, CEL rules) walked from the same schemas that become the CRDs.
import { crdFor, KINDS, type KindDefinition } from './registry.ts';

type Node = Record<string, unknown>;

interface Row {
  path: string;
  type: string;
  required: boolean;
  description: string;
  constraints: string[];
  rules: string[];
}

function typeOf(n: Node): string {
  if (n.type === 'array') return `list of ${typeOf(n.items as Node)}`;
  if (n.type === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object')
    return `map of ${typeOf(n.additionalProperties as Node)}`;
  if (n.format === 'date-time') return 'timestamp';
  return String(n.type);
}

function constraintsOf(n: Node): string[] {
  const c: string[] = [];
  if (n.enum) c.push(`one of ${(n.enum as string[]).map((v) => `\`${v}\``).join(', ')}`);
  if (n.default !== undefined) c.push(`default \`${JSON.stringify(n.default)}\``);
  if ((n.minLength !== undefined || n.maxLength !== undefined) && n.format !== 'date-time')
    c.push(`length ${n.minLength ?? 0}–${n.maxLength}`);
  if (n.minimum !== undefined && n.maximum !== undefined && n.maximum !== Number.MAX_SAFE_INTEGER)
    c.push(`range ${n.minimum}–${n.maximum}`);
  if (n.pattern) c.push(`pattern \`${String(n.pattern)}\``);
  if (n.minItems !== undefined || n.maxItems !== undefined) c.push(`items ${n.minItems ?? 0}–${n.maxItems}`);
  if (n['x-kubernetes-list-type'] === 'set') c.push('unique');
  if (n.maxProperties !== undefined) c.push(`entries ${n.minProperties ?? 0}–${n.maxProperties}`);
  if (n.type === 'array' && (n.items as Node).type !== 'object') {
    const each = constraintsOf(n.items as Node);
    if (each.length > 0) c.push(`each: ${each.join(', ')}`);
  }
  if (n.type === 'object' && typeof n.additionalProperties === 'object') {
    const each = constraintsOf(n.additionalProperties as Node);
    if (each.length > 0) c.push(`values: ${each.join(', ')}`);
  }
  if (n['x-kubernetes-list-type'] === 'map')
    c.push(`keyed by ${(n['x-kubernetes-list-map-keys'] as string[]).join(', ')}`);
  return c;
}

function rows(n: Node, path: string, required: boolean, out: Row[]): Row[] {
  const rules = ((n['x-kubernetes-validations'] as { message: string }[] | undefined) ?? []).map(
    (r) => r.message,
  );
  out.push({
    path,
    type: typeOf(n),
    required,
    description: String(n.description ?? ''),
    constraints: constraintsOf(n),
    rules,
  });
  const props = n.properties as Record<string, Node> | undefined;
  const req = new Set((n.required as string[] | undefined) ?? []);
  for (const [k, v] of Object.entries(props ?? {})) rows(v, `${path}.${k}`, req.has(k), out);
  if (n.type === 'array') {
    const items = n.items as Node;
    if (items.type === 'object') {
      const itemRules = ((items['x-kubernetes-validations'] as { message: string }[] | undefined) ?? []).map(
        (r) => r.message,
      );
      if (itemRules.length > 0)
        out.push({
          path: `${path}[]`,
          type: 'object',
          required: false,
          description: String(items.description ?? ''),
          constraints: [],
          rules: itemRules,
        });
      const req2 = new Set((items.required as string[] | undefined) ?? []);
      for (const [k, v] of Object.entries((items.properties as Record<string, Node> | undefined) ?? {}))
        rows(v, `${path}[].${k}`, req2.has(k), out);
    }
  }
  return out;
}

/** Markdown table with padded columns (the layout Biome's formatter produces). */
function alignedTable(table: string[][]): string[] {
  const widths = table[0]!.map((_, i) => Math.max(3, ...table.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  return [line(table[0]!), line(widths.map((w) => '-'.repeat(w))), ...table.slice(1).map(line)];
}

/** Prose per kind: what users need to know beyond the field table (from the domain notes). */
const NOTES: Record<string, string> = {
  ReplicationSet: `There is at most one replication set per AWS account, and every other Incident Manager resource
needs it, so create it first. List at least two Regions so incidents can still be created when Incident
Manager is impaired in one Region. The set is created from the first Region listed, which AWS makes its first
Region (\`status.createdFromRegion\`): the only Region where ssm-contacts accepts tags, so the account's
contacts, escalation plans and rotations go there, whatever the AWSAccount's home Region. A Region's KMS key cannot be changed (AWS's remedy is to recreate the set), a
Region can be removed only 24 hours after it was added, and while \`deletionProtected\` is on the last Region
cannot be removed. \`deletionPolicy\` defaults to \`Retain\`: deleting the replication set in AWS erases all
contacts, plans and every past incident. If a customer managed key protects the set, delete the set before
disabling the key. \`status.regions[].keyType\` says which kind of key encrypts each Region (\`AWSOwnedKey\` or
\`CustomerManagedKey\`); \`sseKmsKeyId\` there is the key as AWS reports it, \`DefaultKey\` for the AWS owned key.`,
  ResponsePlan: `A response plan is what alarms and EventBridge rules start incidents with. \`name\` is part of the
plan's ARN and cannot change. Engagements (at most 5, unique) can be Contacts, on-call schedules or
EscalationPlans; engaging one escalation plan that holds the schedules and backups is the recommended
practice. An engagement may name a contact or escalation plan of another account that shares it with the
plan's account: by \`contactArn\`, or by \`contactRef\`/\`escalationPlanRef\` to the owner's object in this
cluster (an object whose \`accountRef\` is the owner's AWSAccount; its namespace and name are enough). The plan
uses the owner's ARN once the share has arrived in its account, which the controller checks with one read
before any write: until then the plan is \`Ready=False\` (\`ReferencesNotReady\`) saying whose object, which
account and what is missing (the owner's \`spec.sharing\` does not name this account, or the invitation waits
for acceptance: \`spec.acceptResourceShares\` of this plan's AWSAccount), woken when the owner's share or the
account's accepted shares change. Once the plan uses it, a share that goes is \`ReferenceLost\`. Chat-channel and notification SNS topics must be in the plan's own account and Region and allow
\`ssm-incidents.amazonaws.com\` to publish (Incident Manager sends a test message when a topic is added). The
runbook's \`roleArn\` is the role Incident Manager assumes to start the Automation document; dynamic
parameters must match the document's parameter types (\`IncidentRecordARN\` → String,
\`InvolvedResources\` → StringList), which AWS does not check when it saves the plan: the controller reads
them from the document (\`ssm:DescribeDocument\`) and the \`RunbookParametersTyped\` condition names a
parameter bound to the wrong type (\`RunbookParameterTypeMismatch\`: the runbook would fail to start at
incident time) or says the types could not be checked (\`RunbookParameterTypesUnknown\`); the plan is written
and stays Ready either way. \`pagerDuty.secretId\` names a Secrets Manager secret in the same Region;
the credentials themselves never appear in Kubernetes. Deleting a plan silently disarms alarms and rules
that reference it.`,
  Contact: `A Contact of type \`Personal\` is a responder: channels (SMS, Voice, Email) and an engagement plan that
says when each channel is paged. A channel is engaged only after it is activated with the code Incident
Manager sends to the device: put the code into the Secret named by \`activationCodeSecretRef\` and the
controller activates the channel; \`status.channels\` shows each channel's activation status (a recipient can
deactivate a channel at any time by replying UNSUBSCRIBE). A channel that is not activated is the channel's
problem, not the contact's: Ready stays about the contact and whatever engages it goes on, while the
\`ChannelsActivated\` condition names each such channel and the fix (\`ActivationCodeRejected\`,
\`ActivationSecretNotFound\` for a missing Secret or key, \`ChannelDeactivated\` after an opt-out,
\`ChannelNotActivated\`), with a Warning Event. Each code is tried once: a value that was already in the Secret
when the channel was created (or its address changed), one AWS rejected, and one already used are never sent
(again) until the value changes. A new channel gets a code at once unless \`deferActivation\` is set; a changed
address gets a new code. A channel whose type differs in AWS is deleted and created again (Event
\`ChannelReplaced\`). The \`Engageable\` condition says whether an engagement reaches anyone (False without an
engagement plan, or with no activated channel in it). Use at least two channels of different types and page one
of them at 0 minutes. A Contact of type \`OnCallSchedule\` is an
on-call schedule: up to 8 Rotations in order; \`status.onCallNow\` and \`status.nextHandOffs\` show who is on
call and the next shifts (refreshed at each resync); \`TimeZonesAligned\` is False, naming the dates, when its
rotations' time zones switch daylight saving time on different dates. \`alias\` and \`type\` cannot change; the alias is part of
the contact's ARN.`,
  EscalationPlan: `An escalation plan pages its stages in order: each stage engages its targets (contacts, on-call
schedules, other escalation plans) and waits \`durationInMinutes\` before the next stage starts. A target with
\`isEssential: true\` stops the plan when it acknowledges; the order of targets within a stage does not matter.
Targets must be in the plan's own account (contacts shared through RAM cannot be targets). Cycles between
escalation plans, through \`escalationPlanRef\`s or through \`contactArn\`s of plans managed in this cluster, are
rejected before any AWS call, with the cycle named in the \`InvalidSpec\` condition. \`alias\` cannot change; an
alias already held in AWS by a contact this object did not create is refused until you adopt that contact with
the \`external-arn\` annotation. Deleting a plan that another EscalationPlan (by reference or by ARN) or a
ResponsePlan still names waits with \`DeleteBlocked\` until they let go. At most 46 tags: the controller adds 4
ownership tags. \`sharing\` works as described under the common fields.`,
  Rotation: `A rotation is the shift pattern inside an on-call schedule: its \`contacts\` (personal contacts only, in shift
order), the time zone (an IANA name; abbreviations like PST are rejected), and a recurrence with exactly one
of daily, weekly or monthly hand-offs. \`shiftCoverages\` limits on-call to windows per weekday (days not
listed have no coverage; without it coverage is 24 hours). Use one time zone for all rotations of a schedule
so daylight-saving changes can't open gaps. Overrides (up to 200) replace the on-call members for a window of
at least 30 minutes and may end at most 6 months ahead; replacements must be rotation members, which the
controller checks (\`InvalidSpec\` naming the entry, rule \`OverrideMembers\`: in CEL the check held
\`overrides\` to 10). With \`overrides\`
set (even to \`[]\`) the rotation has exactly those: others found in AWS are deleted, and a changed entry is
deleted and created again (AWS cannot update an override); without the field, overrides made in the console
are left alone. Overrides that have ended are history: ignored, never re-created. The rotation \`name\`
cannot change and may not contain colons. A \`startTime\` may be in the past when the rotation is created
(it anchors the pattern); a change never moves it into the past. The status shows who is on call now
(\`onCallNow\`), the next five hand-offs with time zone, daylight saving, coverage windows and overrides
applied (\`nextHandOffs\`: who hands over to whom, when, and that time in the rotation's zone; the end of
a coverage window followed by the same people is none), when \`onCallNow\` next changes
(\`nextHandOffTime\`) and the overrides in force or to come; it is refreshed every five minutes.`,
  AWSAccount: `An AWSAccount says where resources live and how the controller reaches them. With \`roleArn\` the
controller assumes that role (with \`externalId\` and \`sessionName\` if given) and verifies the identity with
\`sts:GetCallerIdentity\`, reported in \`status.callerArn\`; without it the controller uses its own credentials.
Managed objects select an account with \`spec.accountRef.name\`; objects without one use the controller's own
account and Region. \`limits\` caps the controller's AWS calls to that account. ssm-incidents and AWS RAM
invitations are addressed in \`region\`; ssm-contacts (contacts, escalation plans, rotations, their sharing)
in the replication set's first Region, which the controller works out from AWS and shows in
\`status.contactsRegion\` with how it found it. \`contactsRegion\` only settles a tie AWS cannot break
(Regions created together, no contacts yet); one AWS contradicts is \`ContactsRegionMismatch\`.`,
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function section(def: KindDefinition): string {
  const crd = crdFor(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
  const props = root.properties as Record<string, Node>;
  const lines = [
    `## ${def.kind}`,
    '',
    def.description,
    '',
    ...(NOTES[def.kind] ? [NOTES[def.kind]!.replace(/\n/g, ' '), ''] : []),
    `- API version \`${def.group}/${def.version}\`, ${def.scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'}; plural \`${def.plural}\`, short names ${def.shortNames.map((s) => `\`${s}\``).join(', ')}.`,
    `- \`kubectl get ${def.plural}\` columns: ${def.printerColumns.map((c) => `${c.name} (\`${c.jsonPath}\`${c.priority ? ', with -o wide' : ''})`).join(', ')}.`,
    '',
  ];
  for (const part of ['spec', 'status'] as const) {
    const node = props[part];
    if (!node) continue;
    const table: string[][] = [['Field', 'Type', 'Required', 'Constraints and defaults', 'Description']];
    for (const r of rows(node, part, part === 'spec', []).slice(1)) {
      const cons = [...r.constraints, ...r.rules.map((m) => `rule: ${m}`)].join('; ');
      table.push([`\`${r.path}\``, r.type, r.required ? 'yes' : '', cell(cons), cell(r.description)]);
    }
    lines.push(`### ${def.kind} ${part}`, '', ...alignedTable(table));
    const topRules = ((node['x-kubernetes-validations'] as { message: string }[] | undefined) ?? []).map(
      (r) => r.message,
    );
    if (topRules.length > 0)
      lines.push('', `Cross-field rules on \`${part}\`:`, '', ...topRules.map((m) => `- ${m}`));
    lines.push('');
  }
  return lines.join('\n');
}

const INTRO = `# API reference: incidentmanager.gitops.dev/v1alpha1

<!-- Generated by \`npm run generate\` from src/crds/ (the same schemas that become the CRDs). Do not edit by hand. -->

Six kinds describe AWS Systems Manager Incident Manager as Kubernetes objects. Five are namespaced
and stand for one AWS resource each (ReplicationSet, Contact, Rotation, EscalationPlan, ResponsePlan);
AWSAccount is cluster-scoped and says which account and Region those resources live in and how the
controller reaches it. \`kubectl get incidentmanager\` lists all of them (category \`incidentmanager\`).

## Conventions

- **Field names** are camelCase; tags are maps (\`key: value\`), converted to each service's shape.
- **Enum spelling rule:** PascalCase words, with acronyms kept upper-case as Kubernetes does (\`TCP\`):
  \`Personal\`, \`OnCallSchedule\`, \`SMS\`, \`Voice\`, \`Email\`, \`ResponsePlanOwnerAccount\`,
  \`IncidentRecordARN\`, \`Mon\`…\`Sun\`. The AWS spellings (\`PERSONAL\`, \`ONCALL_SCHEDULE\`,
  \`INCIDENT_RECORD_ARN\`, \`MON\`) are rejected; the controller translates.
- **References** come in pairs: \`…Ref: {name, namespace?}\` names an object in this cluster (namespace
  defaults to the referring object's), \`…Arn\` names an AWS resource that is not managed here. Exactly
  one of a pair is set; the API server rejects an entry with both or neither. A ResponsePlan's engagement
  \`…Ref\` may name an object of another AWSAccount that shares it (see ResponsePlan).
- **Common spec fields** on managed kinds: \`accountRef\` (an AWSAccount; absent = the controller's own
  credentials and Region), \`tags\`, \`deletionPolicy\` (\`Delete\` | \`Retain\`; ReplicationSet defaults to
  \`Retain\` because deleting it erases all incident data, the others to \`Delete\`), \`managementPolicy\`
  (\`Manage\` writes to AWS; \`Observe\` only reads and reports drift), and \`sharing\` (AWS RAM) on Contact,
  EscalationPlan and ResponsePlan.
- **Sharing:** \`spec.sharing\` is one RAM resource share per object (named
  \`incident-manager-operator.<Kind>.<namespace>.<name>\`, found again by the ownership tags) holding the
  object's AWS resource and exactly the listed principals; removing \`sharing\` or deleting the object deletes
  the share (before the resource). \`status.sharing\` shows the share's ARN and status, the resource's
  association and each principal's (\`Associating\`, \`Associated\`, …, or \`Refused\` with RAM's reason).
  A principal outside your organization (or inside it while RAM's organization sharing is off) needs
  \`allowExternalPrincipals: true\` and gets an invitation: until it is accepted the principal shows
  \`Associating\` with a message (and \`since\`, which a restart keeps), and the object stays Ready. A
  principal RAM refuses makes the object \`Ready=False\` (\`SharingNotEnabled\`) naming the principal and
  the fix, with a \`SharingRefused\` Event; objects that engage it go on (the resource exists). The fix
  usually happens outside the cluster, so RAM is asked again 12 minutes after the refusal (\`since\`), and at
  once when the spec changes.
- **Identity and adoption:** the annotation \`incidentmanager.gitops.dev/external-arn\` holds the ARN of the
  AWS resource an object stands for; set it to adopt an existing resource. The controller's finalizer is
  \`incidentmanager.gitops.dev/finalizer\`. An ARN of another account (a resource it shares with the
  object's account) can only be observed: with \`managementPolicy: Observe\` the object reports it read-only
  (no tags, shares or channels, which only the owner sees); otherwise it is \`Ready=False\` (\`NotOwner\`).
  Referenced ARNs of other accounts (e.g. a shared contact a response plan engages) are read once per
  visit; one no longer shared or deleted by its owner gives \`Ready=False\` (\`ReferenceLost\`).
- **Status** on every kind: \`conditions\` (\`Ready\`, \`Synced\`; each with status, reason, message,
  lastTransitionTime, observedGeneration), \`observedGeneration\`, \`lastSyncTime\`, \`arn\` (not on AWSAccount,
  which reports \`callerArn\`), plus the kind-specific fields listed below.
- **Immutable fields** (contact/escalation-plan \`alias\`, contact \`type\`, channel \`type\`, rotation \`name\`,
  response-plan \`name\`, a Region's \`sseKmsKeyId\`) are part of the AWS identity; the API server refuses
  changes. Delete and recreate the object instead, knowing that ARNs change with it.
- **Secrets never go into a spec:** activation codes come from a Secret (\`activationCodeSecretRef\`), the
  PagerDuty credentials stay in AWS Secrets Manager (\`secretId\`).

## Validation

Validation happens in two layers, both in the CRD, so the API server names the offending field when you
apply a bad object:

1. **Per-field constraints** from the AWS API models and the user guide: lengths, patterns, ranges, enums,
   required fields and list sizes (for example at most 5 engagements per response plan, 8 rotations per
   on-call schedule, 30 contacts per rotation, stage durations 0–30 minutes).
2. **Cross-field rules** in CEL (\`x-kubernetes-validations\`): exactly one of each \`…Ref\`/\`…Arn\` pair,
   fields allowed only for one contact type, engagement-plan targets naming existing channels, coverage
   windows and overrides of at least 30 minutes, unique engagements, immutable fields. Each rule sits on
   the narrowest object that can express it and its message names the field (\`fieldPath\` is not used so the CRDs install on Kubernetes 1.25+). Every list and
   string a rule walks is bounded so the rules stay within the API server's CEL cost budget.

Tag **key characters** cannot be expressed in a structural schema (map keys have no pattern) and a regular
expression over unbounded keys would exceed the CEL cost budget, so the CRD checks key length (and the
\`aws:\` prefix for ssm-incidents tags) while \`imctl validate\` also checks the characters; AWS rejects the
rest and the controller reports it in the \`Synced\` condition.

\`imctl validate FILE|DIR…\` (or \`-\` for standard input) applies both layers locally before you apply, with
the same CEL semantics as the API server, and also reports unknown fields and tag-key characters,
printing \`file: Kind/name: field.path: message [rule]\` per problem and exiting 1 if there is any.
\`imctl crds\` prints a summary of the CRDs (\`--yaml\` prints the manifests). The broken objects in
\`test/fixtures/invalid/\` show one violation per rule, each with the expected field path and rule in its
header (\`test/fixtures/invalid-updates/\`: a stored object and the change an immutable field refuses).
When an object breaks a type, required, enum, maximum-length or maximum-count constraint, the API server
does not evaluate the cross-field rules and adds the line \`<nil>: Invalid value: "null": some validation
rules were not checked because the object was invalid; correct the existing errors to complete validation\`:
fix the errors above it and apply again to see the rest.

## Samples

\`config/samples/\` tells one on-call story for a payments team; \`kubectl apply -f config/samples/\` creates it
in order: two AWSAccounts (the owner account and a second account the plans are shared with), a
ReplicationSet in two Regions, a Secret for activation codes (placeholders only: put the codes your
engineers receive into it, never into git), three engineers with SMS/voice/email channels and engagement
plans, two weekday business-hours rotations in one time zone (follow-the-sun) with a holiday override, an
on-call schedule holding them, a two-stage escalation plan, and a response plan that engages it, runs a
runbook, opens PagerDuty incidents and is shared with the second account.
`;

export function renderApiDoc(): string {
  return `${INTRO}\n${KINDS.map(section).join('\n')}`;
}
