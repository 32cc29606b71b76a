import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { SubstitutionView } from '../auth/auth.dto';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { uuidParam } from '../practices/uuid.pipe';
import {
  CreateOrganizationDto,
  CreatePersonDto,
  FoundPersonView,
  ListOrganizationsQueryDto,
  OrganizationDetailView,
  OrganizationView,
  PersonView,
  SearchPeopleQueryDto,
  SetPasswordDto,
  UpdatePersonDto,
} from './organization.dto';
import { OrganizationsService } from './organizations.service';

const personIdParam = () => uuidParam('идентификатор сотрудника');

@ApiTags('directory')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: "Outside the user's scope or role; `message` says why" })
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @AnyLoggedIn('organization')
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
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'One organisation with its people' })
  @ApiOkResponse({ type: OrganizationDetailView })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<OrganizationDetailView> {
    return this.organizations.get(user, id);
  }

  @Post(':id/people')
  @AnyLoggedIn('organization')
  @ApiOperation({
    summary: 'Add a person (with the e-mail reminders go to)',
    description: 'role and password give a log-in (ministry administrator only); others add colleagues of their own organisation',
  })
  @ApiCreatedResponse({ type: PersonView })
  addPerson(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CreatePersonDto): Promise<PersonView> {
    return this.organizations.addPerson(user, id, dto);
  }

  @Patch(':id/people/:personId')
  @Roles('ministry_admin')
  @ApiOperation({
    summary: "Change a person's role, withdraw their log-in or give it back (ministry administrator of the region)",
    description:
      'Withdrawing ends every session of the person and refuses their tokens at once; the role and password are kept, ' +
      'so giving the log-in back restores it. An administrator changes neither their own role nor their own log-in.',
  })
  @ApiOkResponse({ type: PersonView })
  @ApiResponse({ status: 400, description: 'Neither field given, or a malformed one; `details` names each field' })
  @ApiResponse({ status: 404, description: 'No such organisation, or no such person in it' })
  @ApiResponse({ status: 422, description: "The person has no log-in, the role does not fit the organisation's kind, or it is the administrator themselves" })
  updatePerson(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('personId', personIdParam()) personId: string,
    @Body() dto: UpdatePersonDto,
  ): Promise<PersonView> {
    return this.organizations.updatePerson(user, id, personId, dto);
  }

  @Post(':id/people/:personId/password')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({
    summary: 'Set a new initial password, or give a log-in with a role to someone who had none (ministry administrator)',
    description: "Ends every session of the person; a withdrawn log-in stays withdrawn. The password is never stored or logged as text.",
  })
  @ApiOkResponse({ type: PersonView })
  @ApiResponse({ status: 404, description: 'No such organisation, or no such person in it' })
  @ApiResponse({ status: 409, description: "The person's e-mail is already another person's log-in" })
  @ApiResponse({ status: 422, description: "The role does not fit the organisation's kind" })
  setPassword(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('personId', personIdParam()) personId: string,
    @Body() dto: SetPasswordDto,
  ): Promise<PersonView> {
    return this.organizations.setPassword(user, id, personId, dto);
  }

  @Get(':id/substitutions')
  @AnyLoggedIn('organization')
  @ApiOperation({
    summary: "Substitutions in force or planned whose person or deputy belongs to the organisation, earliest first",
    description: 'Revoked and ended ones are left out; revoke with DELETE /api/substitutions/:id.',
  })
  @ApiOkResponse({ type: [SubstitutionView] })
  @ApiResponse({ status: 404, description: 'No such organisation' })
  listSubstitutions(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SubstitutionView[]> {
    return this.organizations.listSubstitutions(user, id);
  }
}

@ApiTags('directory')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: "Outside the user's scope; `message` says why" })
@Controller('people')
export class PeopleController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @AnyLoggedIn('organization')
  @ApiOperation({
    summary: 'Find people of the organisations the user may see by name, e-mail or position',
    description: 'For choosing a person: whose deputy to name (ministry administrator: anyone of the region), and who deputises.',
  })
  @ApiOkResponse({ type: [FoundPersonView] })
  search(@CurrentUser() user: AuthUser, @Query() query: SearchPeopleQueryDto): Promise<FoundPersonView[]> {
    return this.organizations.searchPeople(user, query);
  }
}
