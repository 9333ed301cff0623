import { Module } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { BudgetStore, FlowControlKeys, FlowControlRedis, parseBudgetDefaults } from '@app/flow-control';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import { BudgetsController } from './budgets.controller';
import { BudgetsService } from './budgets.service';

/** Budgets: the admin routes, and the store the workflows' start sets a workflow's budget in. */
@Module({
  controllers: [BudgetsController],
  providers: [
    {
      provide: BudgetStore,
      inject: [REDIS_CLIENT, GatewayConfig],
      // BUDGETS was checked at boot (IsBudgetDefaults): parsing again cannot fail.
      useFactory: (redis: RedisClient, config: GatewayConfig) =>
        new BudgetStore(
          new FlowControlRedis(redis),
          new FlowControlKeys(config.REDIS_PREFIX),
          parseBudgetDefaults(config.BUDGETS),
        ),
    },
    BudgetsService,
  ],
  exports: [BudgetStore],
})
export class BudgetsModule {}
