// SSM documents over awsJson1_1 (X-Amz-Target: AmazonSSM.*): just what a response plan's runbook
// needs to be checked — CreateDocument (JSON or YAML content; Automation documents declare typed
// `parameters`), DescribeDocument (by name, or by ARN for a document of another account that is
// shared with the caller), ModifyDocumentPermission (sharing) and DeleteDocument. One version per
// document (no UpdateDocument). State is per account and Region. Shapes and errors come from
// @aws-sdk/client-ssm 3.523.0 (model.ts); what is not there is listed in FIDELITY.md.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { AwsError } from '../../errors.ts';
import { summarise } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { camelViolations } from '../kms/plugin.ts';
import { SSM_MODEL } from './model.ts';

const SERVICE = 'ssm';
/** CreateDocumentRequest.Content: "The content of the document must not exceed 64KB" (SDK docs). */
const MAX_CONTENT_BYTES = 64 * 1024;
/** CreateDocumentRequest.Name: prefixes Amazon Web Services reserves for its own documents (SDK docs). */
const RESERVED_PREFIXES = ['aws', 'amazon', 'amzn'];
/** Parameter types an Automation document may declare (Systems Manager document schema 0.3). */
const PARAMETER_TYPES = new Set(['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap']);
const DOCUMENT_ARN = /^arn:aws(?:-cn|-us-gov)?:ssm:([a-z0-9-]+):(\d{12}):document\/(.+)$/;

interface Parameter {
  Name: string;
  Type: string;
  Description?: string;
  DefaultValue?: string;
}
interface Document {
  Name: string;
  Account: string;
  Region: string;
  Content: string;
  DocumentType: string;
  DocumentFormat: string;
  SchemaVersion: string;
  VersionName?: string;
  DisplayName?: string;
  Description?: string;
  TargetType?: string;
  Parameters: Parameter[];
  CreatedDate: number;
  Hash: string;
  Tags: { Key: string; Value: string }[];
  /** Accounts it is shared with ('All' for public). */
  sharedWith: Set<string>;
}
interface State {
  documents: Map<string, Document>;
}
const init = (): State => ({ documents: new Map() });

/** SSM's errors carry `Message` (the SDK's member name); `message` is kept for generic readers. */
const ssmError = (code: string, message: string) => new AwsError(code, message, 400, { Message: message });
const invalidDocument = () =>
  ssmError('InvalidDocument', "The SSM document doesn't exist or the document isn't available to the user.");
const invalidContent = (why: string) => ssmError('InvalidDocumentContent', why);

const VERSION = '1';

/** The document's content parsed as its format says, or why it cannot be. */
function parseContent(content: string, format: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = format === 'YAML' ? parseYaml(content) : JSON.parse(content);
  } catch (e) {
    throw invalidContent(`The content of the document is not valid ${format}: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidContent(`The content of the document must be a ${format} object`);
  return parsed as Record<string, unknown>;
}

function parametersOf(doc: Record<string, unknown>): Parameter[] {
  const raw = doc.parameters;
  if (raw === undefined) return [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw invalidContent('parameters must be a map of parameter name to definition');
  return Object.entries(raw as Record<string, unknown>).map(([Name, def]) => {
    const d = (def ?? {}) as Record<string, unknown>;
    const type = d.type;
    if (typeof type !== 'string' || !PARAMETER_TYPES.has(type))
      throw invalidContent(
        `parameter ${Name} has type ${JSON.stringify(type)}; a parameter's type is one of ${[...PARAMETER_TYPES].join(', ')}`,
      );
    const p: Parameter = { Name, Type: type };
    if (typeof d.description === 'string') p.Description = d.description;
    if (d.default !== undefined)
      p.DefaultValue = typeof d.default === 'string' ? d.default : JSON.stringify(d.default);
    return p;
  });
}

export const createPlugin: PluginFactory = ({ store }) => {
  const stateOf = (account: string, region: string) => store.partition<State>(SERVICE, account, region, init);

  /** The document `name` (a name of the caller's account, or an ARN) names for the caller. */
  function lookup(name: string, ctx: RequestContext, own = false): Document {
    const arn = DOCUMENT_ARN.exec(name);
    if (!arn) {
      const d = stateOf(ctx.account, ctx.region).documents.get(name);
      if (!d) throw invalidDocument();
      return d;
    }
    const [, region = '', account = '', docName = ''] = arn;
    if (region !== ctx.region) throw invalidDocument();
    const d = stateOf(account, region).documents.get(docName);
    if (!d) throw invalidDocument();
    // Another account's document: readable only once shared with the caller, never changed by it.
    if (account !== ctx.account && (own || !(d.sharedWith.has(ctx.account) || d.sharedWith.has('All'))))
      throw invalidDocument();
    return d;
  }

  function describe(d: Document) {
    return {
      Hash: d.Hash,
      HashType: 'Sha256',
      Name: d.Name,
      ...(d.DisplayName ? { DisplayName: d.DisplayName } : {}),
      ...(d.VersionName ? { VersionName: d.VersionName } : {}),
      Owner: d.Account,
      CreatedDate: d.CreatedDate / 1000,
      Status: 'Active',
      DocumentVersion: VERSION,
      ...(d.Description ? { Description: d.Description } : {}),
      Parameters: d.Parameters,
      PlatformTypes: d.DocumentType === 'Automation' ? ['Windows', 'Linux', 'MacOS'] : [],
      DocumentType: d.DocumentType,
      SchemaVersion: d.SchemaVersion,
      LatestVersion: VERSION,
      DefaultVersion: VERSION,
      DocumentFormat: d.DocumentFormat,
      ...(d.TargetType ? { TargetType: d.TargetType } : {}),
      Tags: d.Tags,
    };
  }

  /** DocumentVersion: a number, `$LATEST` or `$DEFAULT`; VersionName must match when given. */
  function checkVersion(d: Document, version: string | undefined, versionName: string | undefined): void {
    if (version !== undefined && version !== VERSION && version !== '$LATEST' && version !== '$DEFAULT')
      throw ssmError('InvalidDocumentVersion', `Document version ${version} is not valid or doesn't exist.`);
    if (versionName !== undefined && versionName !== d.VersionName)
      throw ssmError('InvalidDocumentVersion', `Document version name ${versionName} doesn't exist.`);
  }

  return {
    name: SERVICE,
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonSSM',
    model: SSM_MODEL,
    validationError: (v) => new AwsError('ValidationException', summarise(camelViolations(v)), 400),
    throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', 400),
    internalError: () => ssmError('InternalServerError', 'An error occurred on the server side.'),
    handlers: {
      CreateDocument(input: Input, ctx) {
        const st = stateOf(ctx.account, ctx.region);
        const name = input.Name as string;
        if (RESERVED_PREFIXES.some((p) => name.toLowerCase().startsWith(p)))
          throw new AwsError(
            'ValidationException',
            `Document names beginning with ${RESERVED_PREFIXES.join(', ')} are reserved for Amazon Web Services documents.`,
            400,
          );
        if (st.documents.has(name))
          throw ssmError('DocumentAlreadyExists', 'Document with same name already exists.');
        const content = input.Content as string;
        if (Buffer.byteLength(content) > MAX_CONTENT_BYTES)
          throw ssmError(
            'MaxDocumentSizeExceeded',
            `The content of the document exceeds the maximum size of ${MAX_CONTENT_BYTES} bytes.`,
          );
        const format = (input.DocumentFormat as string | undefined) ?? 'JSON';
        const type = (input.DocumentType as string | undefined) ?? 'Command';
        const parsed = format === 'TEXT' ? {} : parseContent(content, format);
        const schemaVersion = parsed.schemaVersion;
        if (format !== 'TEXT' && typeof schemaVersion !== 'string')
          throw ssmError(
            'InvalidDocumentSchemaVersion',
            'The document must declare its schemaVersion as a string.',
          );
        if (type === 'Automation' && schemaVersion !== '0.3')
          throw ssmError(
            'InvalidDocumentSchemaVersion',
            `Automation documents use schemaVersion 0.3, not ${JSON.stringify(schemaVersion)}.`,
          );
        const d: Document = {
          Name: name,
          Account: ctx.account,
          Region: ctx.region,
          Content: content,
          DocumentType: type,
          DocumentFormat: format,
          SchemaVersion: typeof schemaVersion === 'string' ? schemaVersion : '',
          Parameters: parametersOf(parsed),
          CreatedDate: store.clock.now(),
          Hash: createHash('sha256').update(content).digest('hex'),
          Tags: (input.Tags as Document['Tags'] | undefined) ?? [],
          sharedWith: new Set(),
        };
        if (typeof parsed.description === 'string') d.Description = parsed.description;
        if (input.VersionName) d.VersionName = input.VersionName;
        if (input.DisplayName) d.DisplayName = input.DisplayName;
        if (input.TargetType) d.TargetType = input.TargetType;
        st.documents.set(name, d);
        return { DocumentDescription: describe(d) };
      },

      DescribeDocument(input: Input, ctx) {
        const d = lookup(input.Name, ctx);
        checkVersion(d, input.DocumentVersion, input.VersionName);
        return { Document: describe(d) };
      },

      ModifyDocumentPermission(input: Input, ctx) {
        const d = lookup(input.Name, ctx, true);
        for (const a of (input.AccountIdsToAdd as string[] | undefined) ?? []) d.sharedWith.add(a);
        for (const a of (input.AccountIdsToRemove as string[] | undefined) ?? []) d.sharedWith.delete(a);
        return {};
      },

      DeleteDocument(input: Input, ctx) {
        const d = lookup(input.Name, ctx, true);
        checkVersion(d, input.DocumentVersion, input.VersionName);
        if (d.sharedWith.size > 0)
          throw ssmError(
            'InvalidDocumentOperation',
            'You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.',
          );
        stateOf(d.Account, d.Region).documents.delete(d.Name);
        return {};
      },
    },
  };
};
