// User projects on the floor lane: the machine's Node 20 and the oldest @pulumi/pulumi and CLI we claim.
import { userProjectSuite } from "./suite.js";

userProjectSuite("floor");
