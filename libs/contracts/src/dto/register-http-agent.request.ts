import { Type } from 'class-transformer';
import {
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** Retries allowed after a failure of each kind (0 fails at once); the default policy's for the rest. */
export class HttpAgentMaxRetries {
  /** Connection failures, 408, 5xx, and 429/503 (after their `Retry-After`). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  network?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  llm?: number;

  /** The agent did not answer within `timeoutSeconds`. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  timeout?: number;

  /** Other 4xx answers and redirects; 0 by default, since retrying rarely helps. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  validation?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  unknown?: number;
}

/** The computed delay is multiplied by a uniform random number in [min, max]. */
export class HttpAgentJitter {
  @IsNumber()
  @Min(0)
  @Max(10)
  min!: number;

  @IsNumber()
  @Min(0)
  @Max(10)
  max!: number;
}

/** Overrides of the default retry policy: the shape of an agent descriptor's `retry`. */
export class HttpAgentRetryOverrides {
  @IsOptional()
  @ValidateNested()
  @Type(() => HttpAgentMaxRetries)
  maxRetries?: HttpAgentMaxRetries;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  initialDelayMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  maxDelayMs?: number;

  /** Each retry waits this many times longer than the one before. */
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(10)
  base?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => HttpAgentJitter)
  jitter?: HttpAgentJitter;

  /** A timed-out attempt is retried with its time limit multiplied by this. */
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(10)
  timeoutMultiplier?: number;
}

/**
 * Body of `POST /admin/http-agents`: an agent that is an HTTP endpoint. Each step POSTs its
 * context as JSON to `url`, signed with Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), and the JSON answer is the step's output.
 */
export class RegisterHttpAgentRequest {
  /** Unique among all agents; workflow definitions name it in their steps. */
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, {
    message: 'name must be kebab-case (a-z, 0-9, -), starting with a letter, at most 63 characters',
  })
  name!: string;

  @Matches(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, {
    message: 'version must be a semantic version, e.g. 1.4.0',
  })
  version!: string;

  @IsString()
  @MaxLength(2000)
  description!: string;

  /**
   * The http(s) URL each step POSTs to, without credentials. Unless the services allow private
   * networks (HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS), its host must be and resolve to public
   * addresses only, checked now and before each request.
   */
  @IsString()
  @MaxLength(2048)
  url!: string;

  /**
   * The signing secret, as Standard Webhooks libraries take it: `whsec_` and the base64 of 24 to
   * 64 random bytes. Leave it out to have one generated: the answer then shows it, once.
   */
  @IsOptional()
  @Matches(/^whsec_(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, {
    message: 'secret must be whsec_ followed by the base64 of 24 to 64 random bytes (Standard Webhooks)',
  })
  secret?: string;

  /** Time limit of one step: its request is aborted after it, and the step fails with a timeout. */
  @IsInt()
  @Min(1)
  @Max(86400)
  timeoutSeconds!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => HttpAgentRetryOverrides)
  retry?: HttpAgentRetryOverrides;
}
