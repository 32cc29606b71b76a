import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, ApiCreatedResponse } from '@nestjs/swagger';
import type { AuthUser } from './auth-user';
import { AuthUserView, CreateSubstitutionDto, LoginDto, LoginView, SubstitutionListView, SubstitutionView } from './auth.dto';
import { AuthService } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { SubstitutionsService } from './substitutions.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with e-mail and password; the answer carries the bearer token' })
  @ApiOkResponse({ type: LoginView })
  @ApiResponse({ status: 401, description: 'Unknown e-mail or wrong password (the same answer for both)' })
  login(@Body() dto: LoginDto): Promise<LoginView> {
    return this.auth.login(dto.email, dto.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the token belongs to, with their role and the people they deputise for today' })
  @ApiOkResponse({ type: AuthUserView })
  me(@CurrentUser() user: AuthUser): Promise<AuthUserView> {
    return this.auth.view(user);
  }
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller('substitutions')
export class SubstitutionsController {
  constructor(private readonly substitutions: SubstitutionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Name a deputy for a period: they receive your e-mails and may act for your organisation',
    description: 'For yourself; a ministry administrator may name one for anyone of the region with personEmail.',
  })
  @ApiCreatedResponse({ type: SubstitutionView })
  @ApiResponse({ status: 409, description: 'The period overlaps another substitution of the same person' })
  @ApiResponse({ status: 422, description: 'The deputy cannot log in, is the same person, or is of another region' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateSubstitutionDto): Promise<SubstitutionView> {
    return this.substitutions.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your substitutions, and those where you are the deputy' })
  @ApiOkResponse({ type: SubstitutionListView })
  list(@CurrentUser() user: AuthUser): Promise<SubstitutionListView> {
    return this.substitutions.list(user);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a substitution (the person, who named the deputy, or a ministry administrator)' })
  @ApiOkResponse({ type: SubstitutionView })
  @ApiResponse({ status: 409, description: 'Already revoked' })
  revoke(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SubstitutionView> {
    return this.substitutions.revoke(user, id);
  }
}
