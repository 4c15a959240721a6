import { contentSecurityPolicy } from 'helmet';

/**
 * The Content-Security-Policy of the HTML pages the API serves (the queue board, the API docs): their
 * own scripts and styles only, inline styles allowed (both UIs need them), nothing from third parties,
 * and no upgrade-insecure-requests, which on a plain-HTTP LAN server turns every asset URL into https
 * and breaks the page. The JSON API keeps helmet's default policy.
 */
export const pageCsp = contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    fontSrc: ["'self'", 'data:'],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
});
