import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { RegisterWorkflowDefinitionRequest } from '@app/contracts';
import { WorkflowDefinitions } from './workflow-definitions.service';

@Controller('workflow-definitions')
export class WorkflowDefinitionsController {
  constructor(private readonly definitions: WorkflowDefinitions) {}

  @Get()
  list() {
    return this.definitions.list();
  }

  @Get(':type')
  get(@Param('type') type: string) {
    return this.definitions.get(type);
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  register(@Body() request: RegisterWorkflowDefinitionRequest) {
    return this.definitions.register(request);
  }

  @Delete(':type')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('type') type: string) {
    return this.definitions.remove(type);
  }
}
