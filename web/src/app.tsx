// The console: one route table; each page is a component in pages/ that receives its route's parameters.
import type { FunctionComponent } from 'preact';
import { Layout } from './components/layout.js';
import { I18nProvider } from './i18n/i18n.js';
import { AuditorPage } from './pages/auditor-page.js';
import { CertificatePage } from './pages/certificate-page.js';
import { CreatorPage } from './pages/creator-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { PublicPage } from './pages/public-page.js';
import { ReviewerPage } from './pages/reviewer-page.js';
import { matchRoute, PathProvider, usePath } from './router.js';

export type PageProps = { params: Record<string, string> };

/** Keep in step with CONSOLE_ROUTES in src/console/console.routes.ts, which answers these paths with index.html. */
export const ROUTES: ReadonlyArray<[string, FunctionComponent<PageProps>]> = [
  ['/', PublicPage],
  ['/certificate/:filingId', CertificatePage],
  ['/creator', CreatorPage],
  ['/reviewer', ReviewerPage],
  ['/auditor', AuditorPage],
];

function Routes() {
  const path = usePath();
  for (const [pattern, Page] of ROUTES) {
    const params = matchRoute(pattern, path);
    if (params) return <Page params={params} />;
  }
  return <NotFoundPage params={{}} />;
}

export function App() {
  return (
    <I18nProvider>
      <PathProvider>
        <Layout>
          <Routes />
        </Layout>
      </PathProvider>
    </I18nProvider>
  );
}
