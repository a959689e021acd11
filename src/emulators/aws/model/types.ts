// Shape of the generated constraint table (see generate.ts).
export interface MemberDef {
  target: string;
  required?: boolean;
  location?: 'label' | 'query' | 'header';
  locationName?: string;
  idempotencyToken?: boolean;
  minLen?: number;
  maxLen?: number;
  min?: number;
  max?: number;
  pattern?: string;
}

export interface ShapeDef {
  type:
    | 'string'
    | 'integer'
    | 'number'
    | 'boolean'
    | 'timestamp'
    | 'document'
    | 'blob'
    | 'structure'
    | 'union'
    | 'list'
    | 'map';
  members?: Record<string, MemberDef>;
  member?: string;
  key?: string;
  value?: string;
  minLen?: number;
  maxLen?: number;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  unique?: boolean;
}

export interface OperationDef {
  http?: { method: string; uri: string; code: number };
  input?: string;
}

export interface ModelTable {
  service: string;
  protocol: 'restJson1' | 'awsJson1_1';
  operations: Record<string, OperationDef>;
  shapes: Record<string, ShapeDef>;
  errors?: Record<string, number>;
}
