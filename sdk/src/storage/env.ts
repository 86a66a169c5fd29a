/**
 * Pick a ContentStore from environment variables:
 *
 *   FEDSTR_STORAGE   ipfs (default when FEDSTR_IPFS_URL is set) | pinata | gateway | helia
 *   FEDSTR_IPFS_URL      ipfs:    the node's URL printed by `npm run ipfs-node`
 *   PINATA_JWT, PINATA_GATEWAY[, PINATA_GATEWAY_KEY]   pinata
 *   FEDSTR_IPFS_GATEWAY  gateway: any IPFS HTTP gateway (read-only)
 *   FEDSTR_IPFS_DIR      helia:   an in-process node on this directory
 *   FEDSTR_MAX_CONTENT_BYTES, FEDSTR_STORAGE_TIMEOUT_MS   limits
 */
import { GatewayStore } from './gateway.js'
import { HeliaStore } from './helia.js'
import { IpfsHttpStore } from './ipfs-http.js'
import { PinataStore } from './pinata.js'
import type { ContentStore, StoreLimits } from './types.js'

function need (env: Record<string, string | undefined>, name: string): string {
  const v = env[name]
  if (v == null || v === '') throw new Error(`${name} must be set for FEDSTR_STORAGE=${env.FEDSTR_STORAGE ?? '(default)'}`)
  return v
}

export async function storeFromEnv (env: Record<string, string | undefined> = process.env): Promise<ContentStore> {
  const limits: StoreLimits = {}
  const positive = (name: string): number | undefined => {
    const v = env[name]
    if (v == null || v === '') return undefined
    const n = Number(v)
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`)
    return n
  }
  const maxBytes = positive('FEDSTR_MAX_CONTENT_BYTES')
  const timeoutMs = positive('FEDSTR_STORAGE_TIMEOUT_MS')
  if (maxBytes != null) limits.maxBytes = maxBytes
  if (timeoutMs != null) limits.timeoutMs = timeoutMs
  const kind = env.FEDSTR_STORAGE ?? (env.FEDSTR_IPFS_URL != null ? 'ipfs' : env.PINATA_JWT != null ? 'pinata' : 'ipfs')
  switch (kind) {
    case 'ipfs': return new IpfsHttpStore({ url: need(env, 'FEDSTR_IPFS_URL'), ...limits })
    case 'pinata': return new PinataStore({
      jwt: need(env, 'PINATA_JWT'),
      gateway: need(env, 'PINATA_GATEWAY'),
      ...(env.PINATA_GATEWAY_KEY != null && env.PINATA_GATEWAY_KEY !== '' ? { gatewayKey: env.PINATA_GATEWAY_KEY } : {}),
      ...limits
    })
    case 'gateway': return new GatewayStore({ gatewayUrl: need(env, 'FEDSTR_IPFS_GATEWAY'), ...limits })
    case 'helia': return await HeliaStore.open({ dataDir: need(env, 'FEDSTR_IPFS_DIR'), ...limits })
    default: throw new Error(`FEDSTR_STORAGE=${kind} is not one of ipfs, pinata, gateway, helia`)
  }
}
