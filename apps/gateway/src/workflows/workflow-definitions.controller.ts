import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RegisterWorkflowDefinitionRequest } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { WorkflowDefinitions } from './workflow-definitions.service';

@ApiTags('workflow-definitions')
@ApiBearerAuth()
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
  @Roles('admin')
  @HttpCode(HttpStatus.CREATED)
  register(@Body() request: RegisterWorkflowDefinitionRequest) {
    return this.definitions.register(request);
  }

  @Delete(':type')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('type') type: string) {
    return this.definitions.remove(type);
  }
}
