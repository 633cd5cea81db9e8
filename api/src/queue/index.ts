// The delivery queue's contract, the one door to this folder: the NOTIFY channels (every one of
// them, the caches' included), the workers' wake-up payload, a delivery's host, claiming and
// releasing due deliveries, the announced change of a workspace's catalog, and FIFO lines.
export { type CatalogWriter, changeCatalog, type DroppingCache } from "./catalog-change";
export {
  ATTEMPTS_CHANNEL,
  announceAttemptsCall,
  announceCatalogChangeCall,
  CACHE_CHANNEL,
  DELIVERIES_CHANNEL,
  wakeWorkers,
  wakeWorkersCall,
} from "./channels";
export {
  type ClaimedDelivery,
  type ClaimedEvent,
  type ClaimedWork,
  claimDueWithEvents,
  releaseLease,
} from "./claim";
export {
  distinctLines,
  type Line,
  lockKeys,
  lockLines,
  nextLineSeq,
  releaseHookLines,
  releaseLineHeads,
  releaseStalledLines,
} from "./fifo-lines";
export { claimPrefixes, FUNCTION_TARGET, targetHost } from "./host";
export { wakeHosts, wakePayload } from "./wake";
