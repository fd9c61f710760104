/**
 * The platform's name and logo on every page (issue 20, PRODUCT_NAME and PRODUCT_LOGO): set once
 * on the app by app.ts, handed to the page frame through a preact context by send_page.ts's
 * `renderPage`, so no view passes it along and no page can miss it.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Config } from '../../config/config.ts';
import { logoAsset, type LogoAsset } from '../assets/logo.ts';

export interface Brand {
  /** PRODUCT_NAME: the header, every page title, the error pages. */
  name: string;
  logo: LogoAsset;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The platform's name and logo (views/brand.tsx). */
    brand: Brand;
  }
}

export const BrandContext = createContext<Brand | undefined>(undefined);

export function registerBrand(app: FastifyInstance, config: Pick<Config, 'brand'>): void {
  app.decorate('brand', { name: config.brand.productName, logo: logoAsset(config.brand) });
}

/** The brand of the page being rendered; only pages rendered by `renderPage` (send_page.ts) have one. */
export function useBrand(): Brand {
  const brand = useContext(BrandContext);
  if (brand === undefined) throw new Error('a page was rendered without renderPage (views/send_page.ts): it has no brand');
  return brand;
}
