import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChangesNothing, NoCsrfToken, Roles } from '../auth/decorators';
import { CodecPayloadsDto, CodecPayloadsView } from './temporal-codec.dto';
import { TemporalCodecService } from './temporal-codec.service';

/** Where the Temporal Web UI's "codec server" setting points: `<PUBLIC_URL>/api/temporal-codec`. */
export const TEMPORAL_CODEC_PATH = 'temporal-codec';

/**
 * The codec server of the Temporal Web UI (and of `temporal workflow show --codec-endpoint`): workflow payloads are
 * stored encrypted, and a ministry administrator who is logged in to Uplift sees them decrypted in the UI. The UI
 * calls it from its own origin with the session cookie (CORS with credentials for TEMPORAL_UI_ORIGINS) and cannot
 * send the CSRF token, which a request that changes nothing and whose answer only those origins may read does not
 * need; the CLI sends a bearer token.
 */
@ApiTags('temporal-codec')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Namespace', required: false, description: 'The Temporal namespace the payloads belong to (the Web UI sends it)' })
@ApiResponse({ status: 400, description: 'Malformed payloads (`details` names each), or another namespace' })
@ApiResponse({ status: 401, description: 'Not logged in' })
@ApiResponse({ status: 403, description: 'Not a ministry administrator' })
@Roles('ministry_admin')
@Controller(TEMPORAL_CODEC_PATH)
export class TemporalCodecController {
  constructor(private readonly codec: TemporalCodecService) {}

  @Post('decode')
  @HttpCode(200)
  @ChangesNothing()
  @NoCsrfToken()
  @ApiOperation({
    summary: 'Decrypt workflow payloads for the Temporal Web UI',
    description: 'Encrypted payloads come back as stored before encryption (e.g. `json/plain`); others come back unchanged.',
  })
  @ApiBody({ type: CodecPayloadsDto })
  @ApiOkResponse({ type: CodecPayloadsView })
  @ApiResponse({ status: 422, description: 'A payload cannot be decrypted: its key is not in TEMPORAL_PAYLOAD_KEYS, or it was altered' })
  decode(@Body() body: CodecPayloadsDto, @Headers('x-namespace') namespace?: string): Promise<CodecPayloadsView> {
    return this.codec.decode(body.payloads, namespace);
  }

  @Post('encode')
  @HttpCode(200)
  @ChangesNothing()
  @NoCsrfToken()
  @ApiOperation({
    summary: 'Encrypt payloads the Temporal Web UI sends (a signal, an Update, a workflow started from the UI)',
    description: 'With the key ring’s current key, so that what an operator types in the UI is stored encrypted too.',
  })
  @ApiBody({ type: CodecPayloadsDto })
  @ApiOkResponse({ type: CodecPayloadsView })
  encode(@Body() body: CodecPayloadsDto, @Headers('x-namespace') namespace?: string): Promise<CodecPayloadsView> {
    return this.codec.encode(body.payloads, namespace);
  }
}
