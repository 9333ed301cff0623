import { llmSettingsFromEnvironment, LlmEnvironment } from '@app/agent-sdk';
import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

/**
 * `LLM_AGENTS` or `LLM_PRICES` as the agent worker will read them, checked with the whole LLM
 * environment (an agent's entry may lean on `LLM_BASE_URL`), so a mistake stops the service at
 * boot instead of failing its first step. The message is the option's: never the value, which may
 * hold API keys.
 */
export function IsLlmSettings(options: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isLlmSettings',
      target: target.constructor,
      propertyName: property,
      options,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const environment = args.object as LlmEnvironment;
          try {
            llmSettingsFromEnvironment({
              // Whether LLM_BASE_URL goes with LLM_MODEL is those variables' own rule.
              ...environment,
              LLM_MODEL: environment.LLM_BASE_URL ? (environment.LLM_MODEL ?? 'unchecked') : undefined,
              // Each of the others is checked as itself, and LLM_LIMITS by its own validator.
              [property === 'LLM_AGENTS' ? 'LLM_PRICES' : 'LLM_AGENTS']: undefined,
              LLM_LIMITS: undefined,
            });
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}
