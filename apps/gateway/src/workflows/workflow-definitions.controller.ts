import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RegisterWorkflowDefinitionRequest } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { WorkflowDefinitions } from './workflow-definitions.service';

@ApiTags('workflow-definitions')
@ApiBearerAuth()
@Controller('workflow-definitions')
export class WorkflowDefinitionsController {
  constructor(private readonly definitions: WorkflowDefinitions) {}

  /** The workflow types: built-in and registered, with their graphs and input schemas. */
  @Get()
  list() {
    return this.definitions.list();
  }

  /** One workflow type. */
  @Get(':type')
  @ApiErrors({ 404: 'No such workflow type.' })
  get(@Param('type') type: string) {
    return this.definitions.get(type);
  }

  /** Registers a workflow type (or replaces a registered one): its steps are checked, and its input schema compiled. */
  @Post()
  @Roles('admin')
  @ApiErrors({ 409: 'The type is built in and cannot be replaced.' })
  @HttpCode(HttpStatus.CREATED)
  register(@Body() request: RegisterWorkflowDefinitionRequest) {
    return this.definitions.register(request);
  }

  /** Deletes a registered workflow type. */
  @Delete(':type')
  @Roles('admin')
  @ApiErrors({ 404: 'No such workflow type.', 409: 'The type is built in and cannot be deleted.' })
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('type') type: string) {
    return this.definitions.remove(type);
  }
}
