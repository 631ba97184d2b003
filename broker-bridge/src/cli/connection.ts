// How commands find the broker and its credentials: the pipeline client's rules, shared by every command.
export * from "@shipgate/pipeline-client/connection";
