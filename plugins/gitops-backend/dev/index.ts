import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

// Stand-alone backend for working on this plugin: `yarn start` here, then
//   curl http://localhost:7007/api/gitops/clusters
// Mock auth lets requests through without a token.
const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../src'));
backend.start();
