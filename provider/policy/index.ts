// ACL policy tooling shared by the Policy, NodeTags and PreAuthKey resources: pure functions, no network,
// and no import of anything else of ours (what a server accepts comes in as a PolicyDialect).
export { parsePolicyText, type ParsedPolicy } from "./hujson.js";
export { PolicyPositions, type Position } from "./paths.js";
export { canonicalPolicy, canonicalPolicyText, diffPolicySections, policiesEqual, type JsonValue, type SectionChange } from "./semantic.js";
export { definedTags, isIpOrCidr, isValidTag, validatePolicy, type Problem, type ValidateOptions } from "./validate.js";
export { ANY_SERVER, type DialectFeature, type PolicyDialect } from "./dialect.js";
export { POLICY_SECTIONS, type PolicySection } from "./sections.js";
export { checkGroupName, checkHostName, checkNodeName, checkTag, checkUserName } from "./naming.js";
export { PolicyObject, policyToText } from "./typed.js";
export { PolicyEvaluator, type InventoryNode } from "./access.js";
export { accessChange, effectiveAccess } from "./effective.js";
export { describeTestFailures, runPolicyTests, type PolicyTestResult } from "./policyTests.js";
export { withoutTopLevelSection } from "./withoutSection.js";
export { composePolicy, fragmentLabel, type ComposeProblem, type Composition } from "./compose.js";
