// ACL policy tooling shared by the Policy, NodeTags and PreAuthKey resources: pure functions, no network.
export { parsePolicyText, type ParsedPolicy } from "./hujson.js";
export {
  canonicalPolicy,
  canonicalPolicyText,
  diffPolicySections,
  policiesEqual,
  type JsonValue,
  type SectionChange,
} from "./semantic.js";
export {
  definedTags,
  isIpOrCidr,
  isValidTag,
  LATEST_KNOWN_MINOR,
  POLICY_SECTIONS,
  validatePolicy,
  type PolicySection,
  type Problem,
  type ValidateOptions,
} from "./validate.js";
export { PolicyObject, policyToText } from "./typed.js";
export { PolicyEvaluator, type InventoryNode, type PolicyDialect } from "./access.js";
export { accessChange, effectiveAccess } from "./effective.js";
export { describeTestFailures, runPolicyTests, type PolicyTestResult } from "./policyTests.js";
export { withoutTopLevelSection } from "./sections.js";
