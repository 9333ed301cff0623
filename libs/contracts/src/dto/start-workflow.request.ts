import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /workflows`. `type` is checked against the registered definitions by the service. */
export class StartWorkflowRequest {
  /** A registered workflow type, such as CREATE_SITE. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  type!: string;

  /**
   * What the workflow works on, e.g. `{ "request": "Create a portfolio website" }`. Checked
   * against the type's `inputSchema` before anything is recorded: 422 with every wrong field.
   */
  @IsObject()
  input!: Record<string, unknown>;

  /** The website builder's session; memory is kept per session. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  sessionId!: string;

  @IsOptional()
  @IsObject()
  preferences?: Record<string, unknown>;
}
