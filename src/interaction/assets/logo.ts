/**
 * The product logo (issue 20): PRODUCT_LOGO's image, or the built-in Tessera mark, served at one
 * fixed path. Pages link it with a version taken from its bytes, so it can be cached for a year
 * and a new logo still shows at the next page load.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { BrandConfig, ProductLogo } from '../../config/brand.ts';
import { digest } from '../../crypto/digest.ts';

export const LOGO = '/assets/logo';

/** The built-in mark (./tessera.svg), also served at /assets/tessera.svg. */
export const BUILT_IN_MARK = readFileSync(new URL('./tessera.svg', import.meta.url));

export interface LogoAsset extends ProductLogo {
  /** `LOGO?v=…`: what the pages put in `<img src>` and `<link rel="icon">`. */
  src: string;
}

export function logoAsset(brand: BrandConfig): LogoAsset {
  const logo: ProductLogo = brand.logo ?? { contentType: 'image/svg+xml', bytes: BUILT_IN_MARK };
  const version = digest(logo.bytes.toString('base64')).slice(0, 16);
  return { ...logo, src: `${LOGO}?v=${version}` };
}
