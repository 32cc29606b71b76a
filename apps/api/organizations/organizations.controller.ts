import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
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
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: "Outside the user's scope or role; `message` says why" })
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiOperation({ summary: 'Organisations the user may see, filtered by region, kind or parent' })
  @ApiOkResponse({ type: [OrganizationView] })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrganizationsQueryDto): Promise<OrganizationView[]> {
    return this.organizations.list(user, query);
  }

  @Post()
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Add an organisation of the region to the directory (ministry administrator)' })
  @ApiCreatedResponse({ type: OrganizationView })
  @ApiResponse({ status: 409, description: 'The id is taken' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrganizationDto): Promise<OrganizationView> {
    return this.organizations.create(user, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One organisation with its people' })
  @ApiOkResponse({ type: OrganizationDetailView })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrganizationDetailView> {
    return this.organizations.get(user, id);
  }

  @Post(':id/people')
  @ApiOperation({
    summary: 'Add a person (with the e-mail reminders go to)',
    description: 'role and password give a log-in (ministry administrator only); others add colleagues of their own organisation',
  })
  @ApiCreatedResponse({ type: PersonView })
  addPerson(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CreatePersonDto): Promise<PersonView> {
    return this.organizations.addPerson(user, id, dto);
  }
}
