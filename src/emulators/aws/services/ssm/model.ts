// The input table of the emulated SSM operations. There is no SSM Smithy model in
// ../shared/aws-models, so this is written by hand from @aws-sdk/client-ssm 3.523.0
// (dist-types/models/models_0.d.ts and models_1.d.ts): which members exist, which are required
// (typed `T | undefined` rather than optional), and the enums the SDK declares. The SDK carries no
// length or pattern traits, so none are checked here (see FIDELITY.md).
import type { ModelTable } from '../../model/types.ts';

/** `DocumentType` in the SDK. */
export const DOCUMENT_TYPES = [
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'Automation',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'CloudFormation',
  'Command',
  'ConformancePackTemplate',
  'DeploymentStrategy',
  'Package',
  'Policy',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'QuickSetup',
  'Session',
];
/** `DocumentFormat` in the SDK. */
export const DOCUMENT_FORMATS = ['JSON', 'TEXT', 'YAML'];
/** `DocumentPermissionType` in the SDK. */
export const PERMISSION_TYPES = ['Share'];

export const SSM_MODEL: ModelTable = {
  service: 'ssm',
  protocol: 'awsJson1_1',
  operations: {
    CreateDocument: { input: 'CreateDocumentRequest' },
    DescribeDocument: { input: 'DescribeDocumentRequest' },
    DeleteDocument: { input: 'DeleteDocumentRequest' },
    ModifyDocumentPermission: { input: 'ModifyDocumentPermissionRequest' },
  },
  shapes: {
    CreateDocumentRequest: {
      type: 'structure',
      members: {
        Content: { target: 'string', required: true },
        Requires: { target: 'DocumentRequiresList' },
        Attachments: { target: 'AttachmentsSourceList' },
        Name: { target: 'string', required: true },
        DisplayName: { target: 'string' },
        VersionName: { target: 'string' },
        DocumentType: { target: 'DocumentType' },
        DocumentFormat: { target: 'DocumentFormat' },
        TargetType: { target: 'string' },
        Tags: { target: 'TagList' },
      },
    },
    DescribeDocumentRequest: {
      type: 'structure',
      members: {
        Name: { target: 'string', required: true },
        DocumentVersion: { target: 'string' },
        VersionName: { target: 'string' },
      },
    },
    DeleteDocumentRequest: {
      type: 'structure',
      members: {
        Name: { target: 'string', required: true },
        DocumentVersion: { target: 'string' },
        VersionName: { target: 'string' },
        Force: { target: 'boolean' },
      },
    },
    ModifyDocumentPermissionRequest: {
      type: 'structure',
      members: {
        Name: { target: 'string', required: true },
        PermissionType: { target: 'DocumentPermissionType', required: true },
        AccountIdsToAdd: { target: 'AccountIdList' },
        AccountIdsToRemove: { target: 'AccountIdList' },
        SharedDocumentVersion: { target: 'string' },
      },
    },
    DocumentType: { type: 'string', enum: DOCUMENT_TYPES },
    DocumentFormat: { type: 'string', enum: DOCUMENT_FORMATS },
    DocumentPermissionType: { type: 'string', enum: PERMISSION_TYPES },
    AccountIdList: { type: 'list', member: 'string' },
    DocumentRequiresList: { type: 'list', member: 'DocumentRequires' },
    DocumentRequires: {
      type: 'structure',
      members: {
        Name: { target: 'string', required: true },
        Version: { target: 'string' },
        RequireType: { target: 'string' },
        VersionName: { target: 'string' },
      },
    },
    AttachmentsSourceList: { type: 'list', member: 'AttachmentsSource' },
    AttachmentsSource: {
      type: 'structure',
      members: {
        Key: { target: 'string' },
        Values: { target: 'AccountIdList' },
        Name: { target: 'string' },
      },
    },
    TagList: { type: 'list', member: 'Tag' },
    Tag: {
      type: 'structure',
      members: { Key: { target: 'string', required: true }, Value: { target: 'string', required: true } },
    },
  },
};
