// Federation names the core and the UI share (no runtime dependencies).

/** The HTTP signature specs we sign with: RFC 9421 (HTTP Message Signatures) and draft-cavage-12. */
export const SIGNATURE_SPECS = ['rfc9421', 'draft-cavage'] as const;
export type SignatureSpecName = (typeof SIGNATURE_SPECS)[number];

/** What the user sees for each spec. */
export const SIGNATURE_SPEC_LABELS: Readonly<Record<SignatureSpecName, string>> = {
  rfc9421: 'RFC 9421',
  'draft-cavage': 'draft-cavage',
};

/** How a host's last double-knock (a retry with the other spec after a 400/401) ended. */
export type DoubleKnockResult = 'switched' | 'refused_both';

/** A host's remembered signature spec, as the host drawer shows it. */
export interface HostSignatureDto {
  spec: SignatureSpecName;
  /** When the host was first seen accepting this spec (or switched to it). */
  since: number;
  lastDoubleKnockAt: number | null;
  lastDoubleKnock: DoubleKnockResult | null;
  /** The spec the last double-knock tried first. */
  lastDoubleKnockFrom: SignatureSpecName | null;
}
