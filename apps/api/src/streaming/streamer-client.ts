import type { Config } from '@cinenest/config';
import { AppError, NotFoundError, ServiceUnavailableError } from '@cinenest/http';
import {
  prepareFailure,
  preparedSource,
  storageReport,
  type PrepareFailure,
  type PreparedSource,
  type StorageReport,
} from '@cinenest/streaming';
import { instrumentAxios, type UpstreamMetrics } from '@cinenest/metrics';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import axiosRetry from 'axios-retry';

export type PrepareOutcome =
  { ok: true; prepared: PreparedSource } | { ok: false; reason: PrepareFailure; message: string };

const down = () => new ServiceUnavailableError('The streamer is unavailable; try again shortly', 10);

/**
 * The API's side of the streamer's internal API (STREAMER_URL, Bearer STREAMER_SECRET). A streamer
 * that cannot be reached is a 503, never taken for "no source".
 */
export class StreamerClient {
  private readonly http: AxiosInstance;

  constructor(config: Config, metrics?: UpstreamMetrics) {
    this.http = axios.create({
      baseURL: config.STREAMER_URL,
      headers: { authorization: `Bearer ${config.STREAMER_SECRET}` },
      timeout: 10_000,
      validateStatus: () => true,
    });
    // Before axios-retry: each attempt is counted once.
    if (metrics) instrumentAxios(this.http, metrics);
    // Reads are retried on connection trouble; prepare is not (it may have started the torrent).
    axiosRetry(this.http, {
      retries: 2,
      retryDelay: (n) => 100 * 2 ** n,
      retryCondition: (err) => axiosRetry.isNetworkError(err) && err.config?.method === 'get',
    });
  }

  /** Asks the streamer to start a source; a failure says why, so the caller can try the next one. */
  async prepare(sourceId: number, timeoutMs: number): Promise<PrepareOutcome> {
    const res = await this.call(() =>
      this.http.post('/internal/prepare', { sourceId, timeoutMs }, { timeout: timeoutMs + 5000 }),
    );
    if (res.status === 200) return { ok: true, prepared: preparedSource.parse(res.data) };
    const body = (res.data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const reason = prepareFailure.safeParse(body?.code);
    if (!reason.success) throw this.unexpected(res.status);
    return {
      ok: false,
      reason: reason.data,
      message: typeof body?.message === 'string' ? body.message : reason.data,
    };
  }

  async storage(): Promise<StorageReport> {
    const res = await this.call(() => this.http.get('/internal/storage'));
    if (res.status !== 200) throw this.unexpected(res.status);
    return storageReport.parse(res.data);
  }

  async deleteStorage(id: number): Promise<void> {
    const res = await this.call(() => this.http.delete(`/internal/storage/${id}`));
    if (res.status === 404) throw new NotFoundError(`No stored torrent ${id}`);
    if (res.status !== 204) throw this.unexpected(res.status);
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (isAxiosError(err)) throw down();
      throw err;
    }
  }

  private unexpected(status: number): AppError {
    return status >= 500 ? down() : new AppError(502, 'streamer_error', `The streamer answered ${status}`);
  }
}
