import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { uuidParam } from '../practices/uuid.pipe';
import { CuratorshipView, ListCuratorsQueryDto, NameCuratorDto, RemoveCuratorDto } from './curator.dto';
import { CuratorsService } from './curators.service';

@ApiTags('curators')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: "Outside the user's role or region; `message` says why" })
@ApiResponse({ status: 404, description: 'No such cycle (or curatorship in it)' })
@Controller('cycles/:cycleId/curators')
export class CuratorsController {
  constructor(private readonly curators: CuratorsService) {}

  @Post()
  @Roles('ministry_admin')
  @ApiOperation({
    summary: "Name a curator for a participant school of the cycle (the launching ministry's administrator)",
    description:
      "The curator is a person of the region's institute or of another school of the region; they may read the school's " +
      'tasks of this cycle and receive a copy of their escalations, never act on them.',
  })
  @ApiCreatedResponse({ type: CuratorshipView })
  @ApiResponse({ status: 409, description: 'The person already curates the school in this cycle, or the cycle is closed' })
  @ApiResponse({ status: 422, description: 'Not a participant school, an unknown person, or a person who may not curate it' })
  name(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Body() dto: NameCuratorDto): Promise<CuratorshipView> {
    return this.curators.name(user, cycleId, dto);
  }

  @Get()
  @AnyLoggedIn('organization')
  @ApiOperation({
    summary: "The cycle's curators: all for the ministry, the institute and the auditor; a municipality's schools'; a curator's own",
  })
  @ApiOkResponse({ type: [CuratorshipView] })
  list(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: ListCuratorsQueryDto): Promise<CuratorshipView[]> {
    return this.curators.list(user, cycleId, query);
  }

  @Post(':id/remove')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Remove a curator, with the reason; the record stays for auditors' })
  @ApiOkResponse({ type: CuratorshipView })
  @ApiResponse({ status: 409, description: 'Already removed' })
  remove(
    @CurrentUser() user: AuthUser,
    @Param('cycleId') cycleId: string,
    @Param('id', uuidParam('идентификатор назначения куратора')) id: string,
    @Body() dto: RemoveCuratorDto,
  ): Promise<CuratorshipView> {
    return this.curators.remove(user, cycleId, id, dto);
  }
}
