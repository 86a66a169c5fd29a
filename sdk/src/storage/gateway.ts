/**
 * Reading from any IPFS HTTP gateway, verified.
 *
 * First choice is the trustless gateway protocol: every block is fetched with
 * `GET /ipfs/<cid>?format=raw` (`Accept: application/vnd.ipld.raw`) and
 * verified before it is used, so any DAG layout works. If the gateway ignores
 * the raw format and answers with the file itself (many deserializing
 * gateways do), the file is verified by re-importing it with fedstr's
 * parameters and comparing CIDs.
 */
import { CID } from 'multiformats/cid'
import { parseCid } from './cid.js'
import { BackendError, ContentNotFoundError, ReadOnlyStoreError } from './errors.js'
import { classifyHttpError, readBodyCapped, withTimeout } from './http.js'
import { readVerifiedDag, verifyWholeFile } from './verify.js'
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ContentStore, type GetOptions, type PutOptions, type StoreLimits } from './types.js'

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw'
/** Largest single block we accept from a gateway (IPFS blocks are at most 2 MiB in practice). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024

export interface GatewayReaderOptions extends StoreLimits {
  /** Gateway base URL, e.g. `https://ipfs.io` or `http://127.0.0.1:5081`; `/ipfs/<cid>` is appended. */
  gatewayUrl: string
  /** Extra query parameters on every request (e.g. `pinataGatewayToken`). */
  query?: Record<string, string>
  /** Extra headers on every request. */
  headers?: Record<string, string>
}

function normalizeBase (url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`
  return withScheme.replace(/\/+$/, '')
}

/** Verified reads from one gateway. */
export class GatewayReader {
  readonly base: string
  private readonly query: Record<string, string>
  private readonly headers: Record<string, string>
  readonly maxBytes: number
  readonly timeoutMs: number
  private readonly timeoutSignal: ((ms: number) => AbortSignal) | undefined

  constructor (options: GatewayReaderOptions) {
    this.timeoutSignal = options.timeoutSignal
    this.base = normalizeBase(options.gatewayUrl)
    this.query = options.query ?? {}
    this.headers = options.headers ?? {}
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  private url (cid: CID, raw: boolean): string {
    const u = new URL(`${this.base}/ipfs/${cid.toString()}`)
    if (raw) u.searchParams.set('format', 'raw')
    for (const [k, v] of Object.entries(this.query)) u.searchParams.set(k, v)
    return u.toString()
  }

  async get (cid: CID | string, options: GetOptions = {}): Promise<Uint8Array> {
    const root = parseCid(cid)
    const maxBytes = options.maxBytes ?? this.maxBytes
    const { signal, timeout } = withTimeout(this.timeoutMs, options.signal, this.timeoutSignal)
    const what = `get ${root.toString()} from ${this.base}`
    let wholeFile: Uint8Array | undefined
    const fetchBlock = async (c: CID): Promise<Uint8Array> => {
      const url = this.url(c, true)
      const res = await fetch(url, { headers: { accept: RAW_BLOCK_TYPE, ...this.headers }, signal })
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel().catch(() => {})
        throw new ContentNotFoundError(c.toString(), `${this.base} answered ${res.status}`)
      }
      if (!res.ok) {
        const text = (await res.text().catch(() => '')).slice(0, 200)
        throw new BackendError(`${this.base} answered ${res.status} for ${c.toString()}: ${text}`, res.status)
      }
      const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
      if (type !== RAW_BLOCK_TYPE) {
        // A deserializing gateway: only usable for the root, as the whole file.
        if (!c.equals(root)) throw new BackendError(`${this.base} does not serve raw blocks (got ${type ?? 'no content-type'})`, res.status)
        wholeFile = await readBodyCapped(res, maxBytes, `content ${root.toString()}`)
        return new Uint8Array(0)
      }
      return await readBodyCapped(res, Math.min(MAX_BLOCK_BYTES, maxBytes + 64 * 1024), `block ${c.toString()}`)
    }
    try {
      // Peek at the root: if the gateway is deserializing, verify the whole file instead.
      const first = await fetchBlock(root)
      if (wholeFile != null) {
        await verifyWholeFile(root, wholeFile)
        return wholeFile
      }
      let served = false
      return await readVerifiedDag(root, async (c) => {
        if (!served && c.equals(root)) { served = true; return first }
        return await fetchBlock(c)
      }, maxBytes)
    } catch (err) {
      throw classifyHttpError(err, this.base, what, this.timeoutMs, timeout)
    }
  }
}

/** A read-only ContentStore over any IPFS HTTP gateway (`put` throws ReadOnlyStoreError). */
export class GatewayStore implements ContentStore {
  readonly kind = 'gateway' as const
  readonly reader: GatewayReader
  constructor (options: GatewayReaderOptions) { this.reader = new GatewayReader(options) }
  async put (_bytes: Uint8Array, _options?: PutOptions): Promise<CID> { throw new ReadOnlyStoreError(`gateway ${this.reader.base}`) }
  async get (cid: CID | string, options?: GetOptions): Promise<Uint8Array> { return await this.reader.get(cid, options) }
  async close (): Promise<void> {}
}
