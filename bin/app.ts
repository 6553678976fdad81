#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (see cdk.json). Configuration comes from CDK
 * context (lib/stack-config.ts). Both cdk-nag packs run as validation plugins during synthesis, so any
 * unacknowledged AWS Solutions or HIPAA Security finding (error or warning) stops synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { loadStackConfig } from '../lib/stack-config';
import { TrialScreenerStack } from '../lib/trial-screener-stack';

const app = new App();
new TrialScreenerStack(app, 'TrialScreener', {
  description: 'trial-screener: clinical-trial eligibility pre-screener and lead pipeline',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  config: loadStackConfig(app.node),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
app.synth();
