import os from 'node:os';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { fluxKindInfo } from '@gitops-backstage/plugin-gitops-common';
import { CoreV1Event } from '@kubernetes/client-node';
import express from 'express';
import { ClusterClients } from '../cluster/ClusterClients';

/** The portal's actions, each with the Event reason that names it. */
export const PORTAL_ACTIONS = {
  reconcile: 'GitOpsPortalReconcile',
  suspend: 'GitOpsPortalSuspend',
  resume: 'GitOpsPortalResume',
  deploy: 'GitOpsPortalDeploy',
  rollback: 'GitOpsPortalRollback',
  'manual-deploy': 'GitOpsPortalManualDeploy',
  'pipeline-deploy': 'GitOpsPortalPipelineDeploy',
  repair: 'GitOpsPortalRepair',
} as const;

export type PortalAction = keyof typeof PORTAL_ACTIONS;

/** The component Events of the portal report as. */
export const REPORTING_COMPONENT = 'backstage-gitops';

/** An object an action changed, on a cluster. */
export interface ActedOn {
  cluster: string;
  kind: string;
  namespace?: string;
  name: string;
  apiVersion?: string;
  uid?: string;
}

/** Kubernetes caps an Event's message. */
const MAX_MESSAGE = 1024;

/**
 * Writes every portal action to Backstage's audit trail (the auditor
 * service) and, once it succeeded, as a Kubernetes Event on each object it
 * changed, so cluster-side tooling (kubectl events, Flux's alerting,
 * event exporters) sees who did what and why.
 */
export class ActionAudit {
  constructor(
    private readonly deps: {
      clients: ClusterClients;
      logger: LoggerService;
      auditor?: AuditorService;
    },
  ) {}

  async record<T>(
    action: {
      action: PortalAction;
      actor: string;
      why?: string;
      request?: express.Request;
    },
    work: () => Promise<T>,
    actedOn: (result: T) => ActedOn[],
    /** A failure the work answers rather than throws (a failed repair). */
    failureOf: (result: T) => string | undefined = () => undefined,
  ): Promise<T> {
    const auditEvent = await this.deps.auditor?.createEvent({
      eventId: action.action,
      severityLevel: 'medium',
      request: action.request,
      meta: { actor: action.actor, why: action.why ?? null },
    });
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await auditEvent?.fail({ error: error as Error });
      throw error;
    }
    const failure = failureOf(result);
    if (failure !== undefined) {
      await auditEvent?.fail({ error: new Error(failure) });
      return result;
    }
    const objects = actedOn(result);
    await auditEvent?.success({
      meta: {
        objects: objects.map(
          o => `${o.cluster}/${o.kind}/${o.namespace ?? ''}/${o.name}`,
        ),
      },
    });
    for (const object of objects) {
      await this.writeEvent(action, object);
    }
    return result;
  }

  /** The action succeeded: a failing Event write is logged, not answered. */
  private async writeEvent(
    action: { action: PortalAction; actor: string; why?: string },
    object: ActedOn,
  ) {
    const now = new Date();
    const namespace = object.namespace || 'default';
    const info = fluxKindInfo(object.kind);
    const apiVersion =
      object.apiVersion ??
      (info ? `${info.group}/${info.versions[0]}` : undefined);
    const message = `${action.action} by ${action.actor}${
      action.why ? `: ${action.why}` : ''
    }`.slice(0, MAX_MESSAGE);
    const event: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${object.name}.`, namespace },
      involvedObject: {
        apiVersion,
        kind: object.kind,
        namespace: object.namespace,
        name: object.name,
        uid: object.uid,
      },
      type: 'Normal',
      reason: PORTAL_ACTIONS[action.action],
      action: action.action,
      message,
      source: { component: REPORTING_COMPONENT },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: os.hostname(),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.deps.clients.get(object.cluster).createEvent(event);
    } catch (error) {
      this.deps.logger.warn(
        `writing the ${event.reason} event on ${object.kind} ${namespace}/${object.name} (cluster ${object.cluster}): ${error}`,
      );
    }
  }
}
