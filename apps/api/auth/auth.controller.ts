import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../../libs/config';
import { InjectConfig } from '../../../libs/platform';
import type { AuthUser } from './auth-user';
import {
  AuthUserView,
  ChangePasswordDto,
  CreateSubstitutionDto,
  LoginDto,
  LoginView,
  PasswordChangedView,
  SubstitutionListView,
  SubstitutionView,
} from './auth.dto';
import { AuthService } from './auth.service';
import { AnyLoggedIn, CurrentUser, Public } from './decorators';
import {
  bearerToken,
  clearSessionCookies,
  CSRF_COOKIE,
  CSRF_REFUSED,
  csrfTokenMatches,
  newCsrfToken,
  requestCookie,
  SESSION_COOKIE,
  setSessionCookies,
} from './session-cookies';
import { SubstitutionsService } from './substitutions.service';

const TOO_MANY_ATTEMPTS =
  'Too many attempts from the address or for the account, or the log-in is locked after repeated wrong passwords; ' +
  'Retry-After says when to try again';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  private readonly logger = new Logger('AccessDenied');
  /** The cookies are `Secure` when the app is reached over https. */
  private readonly secureCookies: boolean;

  constructor(
    private readonly auth: AuthService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.publicUrl.startsWith('https:');
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with e-mail and password; the answer carries the bearer token' })
  @ApiOkResponse({ type: LoginView })
  @ApiResponse({ status: 401, description: 'Unknown e-mail or wrong password (the same answer for both)' })
  @ApiResponse({ status: 429, description: TOO_MANY_ATTEMPTS })
  login(@Body() dto: LoginDto): Promise<LoginView> {
    return this.auth.login(dto.email, dto.password);
  }

  @Public()
  @Post('session')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in the browser: sets the session cookie and the CSRF cookie; the answer is who logged in',
    description:
      `Sets \`${SESSION_COOKIE}\` (the JWT; HttpOnly, SameSite=Strict, Path=/; Secure when PUBLIC_URL is https) and ` +
      `\`${CSRF_COOKIE}\` (random, readable by the page, SameSite=Strict, Path=/), both for the JWT's lifetime. ` +
      'Later requests authenticate with the cookie when they carry no Authorization header; their writes (any ' +
      `method but GET, HEAD, OPTIONS) must send \`X-CSRF-Token\` equal to the \`${CSRF_COOKIE}\` cookie.`,
  })
  @ApiOkResponse({
    type: AuthUserView,
    headers: { 'Set-Cookie': { description: `${SESSION_COOKIE}=…; ${CSRF_COOKIE}=…`, schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ description: 'Unknown e-mail or wrong password (the same answer for both)' })
  @ApiResponse({ status: 429, description: TOO_MANY_ATTEMPTS })
  async startSession(@Body() dto: LoginDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuthUserView> {
    const session = await this.auth.startSession(dto.email, dto.password);
    setSessionCookies(
      reply,
      { secure: this.secureCookies, maxAgeSeconds: session.expiresInSeconds },
      session.token,
      newCsrfToken(),
    );
    return session.user;
  }

  @Public()
  @Delete('session')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiCookieAuth('cookie')
  @ApiOperation({
    summary: 'Log out: ends the session on the server (the bearer token\'s, or the browser\'s) and clears both cookies',
    description:
      'With `Authorization: Bearer <token>` the token\'s session ends (the token is refused afterwards). Otherwise the ' +
      'session cookie\'s session ends; an active one needs `X-CSRF-Token` like any write. Without a session (none, ' +
      'expired or already ended) the cookies are cleared all the same.',
  })
  @ApiNoContentResponse({ description: 'The session is ended (or there was none) and the cookies are cleared' })
  @ApiForbiddenResponse({ description: 'An active cookie session, but X-CSRF-Token is missing or differs from the CSRF cookie' })
  async endSession(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const bearer = bearerToken(request);
    if (bearer !== undefined) {
      // A bearer client's own token: no cookie, so no CSRF to check. A bad or ended token has nothing left to end.
      const session = bearer ? await this.auth.activeSessionOf(bearer) : null;
      if (session) await this.auth.endSession(session.sessionId);
      clearSessionCookies(reply, { secure: this.secureCookies });
      return;
    }
    const token = requestCookie(request, SESSION_COOKIE);
    const session = token ? await this.auth.activeSessionOf(token) : null;
    if (session) {
      if (!csrfTokenMatches(request)) {
        this.logger.warn(`refused log-out of session ${session.sessionId} (person ${session.personId}): ${CSRF_REFUSED}`);
        throw new ForbiddenException({ message: CSRF_REFUSED });
      }
      await this.auth.endSession(session.sessionId);
    }
    clearSessionCookies(reply, { secure: this.secureCookies });
  }

  @Post('password')
  @AnyLoggedIn('self')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiCookieAuth('cookie')
  @ApiOperation({
    summary: 'Change your own password; every other session of yours ends',
    description:
      'The current password must be right (a wrong one counts towards the log-in lock-out). Every session of the ' +
      'person ends, the calling one included, and a new one starts for the caller: a bearer caller gets a new token ' +
      'in the answer, a browser gets new session and CSRF cookies.',
  })
  @ApiOkResponse({ type: PasswordChangedView })
  @ApiResponse({ status: 400, description: 'A wrong current password, or a new one that breaks a rule (each named in Russian)' })
  @ApiResponse({ status: 429, description: TOO_MANY_ATTEMPTS })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PasswordChangedView> {
    const session = await this.auth.changePassword(user, dto.currentPassword, dto.newPassword);
    if (bearerToken(request) !== undefined) {
      return { user: session.user, accessToken: session.token, tokenType: 'Bearer', expiresIn: session.expiresInSeconds };
    }
    setSessionCookies(
      reply,
      { secure: this.secureCookies, maxAgeSeconds: session.expiresInSeconds },
      session.token,
      newCsrfToken(),
    );
    return { user: session.user, expiresIn: session.expiresInSeconds };
  }

  @Get('me')
  @AnyLoggedIn('self')
  @ApiBearerAuth()
  @ApiCookieAuth('cookie')
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
  @AnyLoggedIn('organization')
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
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Your substitutions, and those where you are the deputy' })
  @ApiOkResponse({ type: SubstitutionListView })
  list(@CurrentUser() user: AuthUser): Promise<SubstitutionListView> {
    return this.substitutions.list(user);
  }

  @Delete(':id')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Revoke a substitution (the person, who named the deputy, or a ministry administrator)' })
  @ApiOkResponse({ type: SubstitutionView })
  @ApiResponse({ status: 409, description: 'Already revoked' })
  revoke(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SubstitutionView> {
    return this.substitutions.revoke(user, id);
  }
}
