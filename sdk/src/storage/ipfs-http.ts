/**
 * ContentStore over an IPFS node's HTTP endpoints — the embedded fedstr node
 * (`npm run ipfs-node`) or a Kubo daemon: writes with Kubo's RPC
 * `POST /api/v0/add?cid-version=1`, reads through the trustless gateway with
 * per-block verification.
 */
import { CID } from 'multiformats/cid'
import { CHUNK_SIZE, computeCid, parseCid } from './cid.js'
import { BackendError, CidMismatchError, ContentTooLargeError, StorageError } from './errors.js'
import { GatewayReader } from './gateway.js'
import { classifyHttpError, withTimeout } from './http.js'
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ContentStore, type GetOptions, type PutOptions, type StoreLimits } from './types.js'

export interface IpfsHttpStoreOptions extends StoreLimits {
  /** The node's base URL (RPC API), e.g. http://127.0.0.1:5081. */
  url: string
  /** Gateway base URL when it differs from `url` (Kubo: :8080 vs :5001). */
  gatewayUrl?: string
}

export class IpfsHttpStore implements ContentStore {
  readonly kind = 'ipfs-http' as const
  readonly url: string
  readonly reader: GatewayReader
  private readonly maxBytes: number
  private readonly timeoutMs: number
  private readonly timeoutSignal: ((ms: number) => AbortSignal) | undefined

  constructor (options: IpfsHttpStoreOptions) {
    this.timeoutSignal = options.timeoutSignal
    this.url = options.url.replace(/\/+$/, '')
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.reader = new GatewayReader({ gatewayUrl: options.gatewayUrl ?? this.url, maxBytes: this.maxBytes, timeoutMs: this.timeoutMs, ...(options.timeoutSignal != null ? { timeoutSignal: options.timeoutSignal } : {}) })
  }

  async put (bytes: Uint8Array, options: PutOptions = {}): Promise<CID> {
    if (bytes.length > this.maxBytes) throw new ContentTooLargeError('put', bytes.length, this.maxBytes)
    const expected = await computeCid(bytes)
    const endpoint = `${this.url}/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-${CHUNK_SIZE}&hash=sha2-256&pin=true&progress=false`
    const { signal, timeout } = withTimeout(this.timeoutMs, options.signal, this.timeoutSignal)
    try {
      const form = new FormData()
      form.append('file', new Blob([bytes]), options.name ?? expected.toString())
      const res = await fetch(endpoint, { method: 'POST', body: form, signal })
      const text = await res.text()
      if (res.status === 413) throw new ContentTooLargeError(`upload to ${this.url}`, bytes.length, this.maxBytes)
      if (!res.ok) throw new BackendError(`${this.url} /api/v0/add answered ${res.status}: ${text.slice(0, 200)}`, res.status)
      // Kubo streams one JSON object per line; the last one is the root.
      const lines = text.trim().split('\n').filter((l) => l.trim() !== '')
      const last = lines[lines.length - 1]
      let hash: unknown
      try { hash = (JSON.parse(last ?? '') as { Hash?: unknown }).Hash } catch { hash = undefined }
      if (typeof hash !== 'string') throw new BackendError(`${this.url} /api/v0/add gave no Hash: ${text.slice(0, 200)}`)
      const got = parseCid(hash)
      if (got.toString() !== expected.toString()) throw new CidMismatchError(expected.toString(), got.toString(), `${this.url} stored the bytes under a different CID`)
      return got
    } catch (err) {
      if (err instanceof StorageError) throw err
      throw classifyHttpError(err, this.url, `put to ${this.url}`, this.timeoutMs, timeout)
    }
  }

  async get (cid: CID | string, options?: GetOptions): Promise<Uint8Array> {
    return await this.reader.get(cid, options)
  }

  async close (): Promise<void> {}
}
