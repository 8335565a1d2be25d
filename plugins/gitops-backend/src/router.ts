import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ClusterDetails } from '@gitops-backstage/plugin-gitops-node';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  clusters: ClusterDetails[];
}

export async function createRouter({
  httpAuth,
  clusters,
}: RouterOptions): Promise<express.Router> {
  const router = Router();
  router.use(express.json());

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({
      items: clusters.map(({ name, title, url }) => ({ name, title, url })),
    });
  });

  return router;
}
