/** The configured peers (from sip.conf), looked up case-insensitively as chan_sip does. */
import type { SipConf, SipPeerConfig } from '../sip/config/sip-conf.js';

export class PeerRegistry {
  private peers: Map<string, SipPeerConfig>;

  constructor(conf: SipConf) {
    this.peers = conf.peers;
  }

  /** Swap in a reloaded configuration; returns keys that disappeared. */
  replace(conf: SipConf): string[] {
    const removed = [...this.peers.keys()].filter((k) => !conf.peers.has(k));
    this.peers = conf.peers;
    return removed;
  }

  /** Any section (friend, peer or user). */
  get(name: string): SipPeerConfig | undefined {
    return this.peers.get(name.toLowerCase());
  }

  /** By the already lower-cased key. */
  getByKey(key: string): SipPeerConfig | undefined {
    return this.peers.get(key);
  }

  /** Peers and friends (what `sip show peers` lists and what may register), sorted by name. */
  listPeers(): SipPeerConfig[] {
    return [...this.peers.values()].filter((p) => p.type !== 'user').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  size(): number {
    return this.peers.size;
  }
}
