// STS over awsQuery: GetCallerIdentity and AssumeRole. Input is the flat form (Action=…&RoleArn=…);
// handlers return the inner XML of <ActionResult>. STS has no Smithy model here, so its few
// constraints are checked by hand, with STS's own error codes (ValidationError, AccessDenied).
import { AwsError, xmlEscape } from '../../errors.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

export const createPlugin: PluginFactory = ({ store }) => ({
  name: 'sts',
  protocol: 'awsQuery',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  handlers: {
    GetCallerIdentity(_input: Input, ctx: RequestContext): string {
      const who = store.accounts.resolve(ctx.accessKeyId);
      return `<Arn>${xmlEscape(who.arn)}</Arn><UserId>${xmlEscape(who.userId)}</UserId><Account>${who.account}</Account>`;
    },
    AssumeRole(input: Input, ctx: RequestContext): string {
      const roleArn = input.RoleArn as string | undefined;
      const session = input.RoleSessionName as string | undefined;
      const errors: string[] = [];
      if (!roleArn)
        errors.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
      if (!session)
        errors.push("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
      else if (!SESSION_NAME.test(session))
        errors.push(
          `Value '${session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      const duration = input.DurationSeconds === undefined ? 3600 : Number(input.DurationSeconds);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200)
        errors.push(
          `Value '${input.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'}`,
        );
      const externalId = input.ExternalId as string | undefined;
      if (externalId !== undefined && !EXTERNAL_ID.test(externalId))
        errors.push(
          "Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
        );
      if (errors.length > 0)
        throw validation(
          `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
        );
      const m = ROLE_ARN.exec(roleArn as string);
      if (!m) throw validation(`${roleArn} is invalid`);
      const account = m[2] as string;
      const roleName = m[3] as string;
      const role = store.iamRoles.get(`${account}:${roleName}`);
      if (role?.externalId !== undefined && role.externalId !== externalId) {
        throw new AwsError(
          'AccessDenied',
          `User: ${ctx.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      }
      const r = store.random;
      const accessKeyId = `ASIA${r.upperAlnum(16)}`;
      const secret = `${r.hex(20)}${r.upperAlnum(20)}`;
      const sessionToken = `FwoGZXIvYXdzE${r.upperAlnum(120)}`;
      const roleId = `AROA${r.upperAlnum(17)}`;
      const expiresAt = ctx.clock.now() + duration * 1000;
      const assumedArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`;
      store.accounts.registerTemporary(accessKeyId, {
        account,
        arn: assumedArn,
        userId: `${roleId}:${session}`,
        secret,
        expiresAt,
      });
      return (
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
        `<SessionToken>${sessionToken}</SessionToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>${roleId}:${xmlEscape(session as string)}</AssumedRoleId><Arn>${xmlEscape(assumedArn)}</Arn></AssumedRoleUser>`
      );
    },
  },
  validationError: (v) => validation(v.map((x) => x.message).join('; ')),
  throttlingError: () => new AwsError('Throttling', 'Rate exceeded', 400),
  internalError: () => new AwsError('InternalFailure', 'An internal error occurred', 500),
});
