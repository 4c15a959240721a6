import { AppError } from '@cinenest/http';
import type { PrepareFailure } from '@cinenest/streaming';

const STATUS: Record<PrepareFailure, number> = {
  no_peers: 409,
  no_progress: 409,
  no_metadata: 409,
  no_video_file: 409,
  source_not_found: 404,
  storage_full: 507,
  vpn_down: 503,
  busy: 503,
};

/** Why a source cannot be streamed now; the code is what the API reads to decide what comes next. */
export class PrepareError extends AppError {
  constructor(
    readonly reason: PrepareFailure,
    message: string,
  ) {
    super(
      STATUS[reason],
      reason,
      message,
      undefined,
      STATUS[reason] === 503 ? { 'Retry-After': '5' } : undefined,
    );
  }
}
