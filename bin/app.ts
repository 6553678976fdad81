#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (see cdk.json). Configuration comes from CDK
 * context (lib/stack-config.ts). Both cdk-nag packs run as validation plugins during synthesis, so any
 * unacknowledged AWS Solutions or HIPAA Security finding (error or warning) stops synth.
 *
 * One stack per stage: `-c stage=staging` deploys `TrialScreener-staging` beside the default
 * `TrialScreener-prod`, sharing nothing with it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { loadStackConfig } from '#lib/stack-config';
import { TrialScreenerStack, stackIdOf } from '#lib/trial-screener-stack';

const app = new App();
const config = loadStackConfig(app.node);
new TrialScreenerStack(app, stackIdOf(config.stage), {
  description: `trial-screener (${config.stage}): clinical-trial eligibility pre-screener and lead pipeline`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  config,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
app.synth();
