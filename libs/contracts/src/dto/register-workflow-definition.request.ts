import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { StepLimit } from '../step-limits';
import { STEP_ID_PATTERN } from '../workflow-definition';

/** An approval step's policy (see `ApprovalPolicy`). */
export class ApprovalPolicyDto {
  /** Seconds to wait for a decision, at most 30 days; absent: wait until someone decides. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 60 * 60)
  deadlineSeconds?: number;

  @IsIn(['fail', 'default'])
  onTimeout!: 'fail' | 'default';

  /** The output the deadline approves with (onTimeout `default`). */
  @IsOptional()
  @IsObject()
  default?: Record<string, unknown>;
}

/** A fan-out step's work items (see `FanOutDefinition`). */
export class FanOutDefinitionDto {
  /** The step (one of `dependsOn`) whose output holds the list of work items. */
  @Matches(STEP_ID_PATTERN, { message: 'forEach.from must be a step id' })
  from!: string;

  /** Dot-separated keys leading to the list in that output (`site.pages`); absent: the output itself. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_$-]{1,100}(\.[A-Za-z0-9_$-]{1,100}){0,9}$/, {
    message: 'forEach.path must be dot-separated keys (letters, digits, _ $ -), at most 10',
  })
  path?: string;

  /** The most work items the step accepts; at most the gateway's FAN_OUT_MAX_ITEMS (its default). */
  @IsOptional()
  @IsInt()
  @Min(1)
  maxItems?: number;
}

/** A quality loop back to an earlier step (see `RevisionLoop`). */
export class RevisionLoopDto {
  /** The step sent back with the feedback: one of this step's ancestors. */
  @Matches(STEP_ID_PATTERN, { message: 'revise.step must be a step id' })
  step!: string;

  /**
   * How many times the loop may run in all, its first run included, 1 to
   * 10 (MAX_REVISION_ITERATIONS): the range, like the step, is checked with the graph (422).
   */
  @IsInt({ message: 'revise.maxIterations must be a whole number' })
  maxIterations!: number;
}

export class StepDefinitionDto {
  @Matches(STEP_ID_PATTERN, {
    message: 'step id must be kebab-case (a-z, 0-9, -), at most 63 characters',
  })
  id!: string;

  /** Required unless the step is an approval step. */
  @ValidateIf((step: StepDefinitionDto) => step.approval === undefined || step.agent !== undefined)
  @IsString()
  @MaxLength(63)
  agent?: string;

  /** Makes it an approval step, which waits for a person instead of running an agent. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ApprovalPolicyDto)
  approval?: ApprovalPolicyDto;

  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  dependsOn!: string[];

  /** Makes it a fan-out step: one sub-step per work item of a dependency's output. */
  @IsOptional()
  @ValidateNested()
  @Type(() => FanOutDefinitionDto)
  forEach?: FanOutDefinitionDto;

  /** Makes it a check that may send an earlier step's work back with feedback, a bounded number of times. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RevisionLoopDto)
  revise?: RevisionLoopDto;
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

  /**
   * Limits every step of this type obeys besides its agent's: `{ name, key, rate?, concurrency? }`
   * (see the README's flow control). Numbers and key fields are checked with the definition: a
   * rate of 0 or less, an unknown key field or a name given twice is answered 422.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  limits?: StepLimit[];
}
