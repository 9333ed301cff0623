import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class StepDefinitionDto {
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, {
    message: 'step id must be kebab-case (a-z, 0-9, -), at most 63 characters',
  })
  id!: string;

  @IsString()
  @MaxLength(63)
  agent!: string;

  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  dependsOn!: string[];
}

/** Body of `POST /workflow-definitions`: a workflow type as a graph of agent steps. */
export class RegisterWorkflowDefinitionRequest {
  @Matches(/^[A-Z][A-Z0-9_]{0,62}$/, { message: 'type must be UPPER_SNAKE_CASE, at most 63 characters' })
  type!: string;

  @IsString()
  @MaxLength(500)
  description!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => StepDefinitionDto)
  steps!: StepDefinitionDto[];

  /**
   * A JSON Schema (draft-07) of the input, with `type: "object"` at its root. Workflows of this
   * type whose input it refuses are answered 422 and never recorded. A schema that does not
   * compile is refused with the definition.
   */
  @IsOptional()
  @IsObject()
  inputSchema?: Record<string, unknown>;
}
