import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateOrganizationDto,
  CreatePersonDto,
  ListOrganizationsQueryDto,
  OrganizationDetailView,
  OrganizationView,
  PersonView,
} from './organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('directory')
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiOperation({ summary: 'Organisations, filtered by region, kind or parent' })
  @ApiOkResponse({ type: [OrganizationView] })
  list(@Query() query: ListOrganizationsQueryDto): Promise<OrganizationView[]> {
    return this.organizations.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Add an organisation to the directory' })
  @ApiCreatedResponse({ type: OrganizationView })
  @ApiResponse({ status: 409, description: 'The id is taken' })
  create(@Body() dto: CreateOrganizationDto): Promise<OrganizationView> {
    return this.organizations.create(dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One organisation with its people' })
  @ApiOkResponse({ type: OrganizationDetailView })
  get(@Param('id') id: string): Promise<OrganizationDetailView> {
    return this.organizations.get(id);
  }

  @Post(':id/people')
  @ApiOperation({ summary: 'Add a person (with the e-mail reminders go to)' })
  @ApiCreatedResponse({ type: PersonView })
  addPerson(@Param('id') id: string, @Body() dto: CreatePersonDto): Promise<PersonView> {
    return this.organizations.addPerson(id, dto);
  }
}
