//! `kms:ViaService` services and AWS managed key aliases.
//!
//! [`VIA_SERVICES`]: the table "Services that support the `kms:ViaService` condition key" of
//! [`super::DG_CONDITIONS`], as of the archived Developer Guide source (May 2023); the ElastiCache row says to list
//! both `elasticache` and `dax` (the ElastiCache guide's KMS page says the same). Services that joined later are
//! missing.
//!
//! [`MANAGED_ALIASES`]: the KMS Developer Guide names `alias/aws/ebs`, `alias/aws/dynamodb`, `alias/aws/s3`,
//! `alias/aws/redshift` and `alias/aws/ssm` (each entry links the page); the others are
//! [`Provenance::Observed`]: they appear in published `aws kms list-aliases` output and in public code that uses
//! them, not in a page read here.

use super::{ManagedAlias, Provenance, ViaService};

/// The services that support `kms:ViaService`, in the Developer Guide's order.
pub const VIA_SERVICES: &[ViaService] = &[
    ViaService { service: "AWS App Runner", prefixes: &["apprunner"], note: None },
    ViaService { service: "Amazon AppFlow", prefixes: &["appflow"], note: None },
    ViaService { service: "Amazon Application Migration Service", prefixes: &["mgn"], note: None },
    ViaService { service: "Amazon Athena", prefixes: &["athena"], note: None },
    ViaService { service: "AWS Audit Manager", prefixes: &["auditmanager"], note: None },
    ViaService { service: "Amazon Aurora", prefixes: &["rds"], note: None },
    ViaService { service: "AWS Backup", prefixes: &["backup"], note: None },
    ViaService { service: "AWS Backup Gateway", prefixes: &["backup-gateway"], note: None },
    ViaService { service: "AWS CodeArtifact", prefixes: &["codeartifact"], note: None },
    ViaService { service: "Amazon CodeGuru Reviewer", prefixes: &["codeguru-reviewer"], note: None },
    ViaService { service: "Amazon Comprehend", prefixes: &["comprehend"], note: None },
    ViaService { service: "Amazon Connect", prefixes: &["connect"], note: None },
    ViaService { service: "Amazon Connect Customer Profiles", prefixes: &["profile"], note: None },
    ViaService { service: "Amazon Connect Wisdom", prefixes: &["wisdom"], note: None },
    ViaService { service: "AWS Database Migration Service (AWS DMS)", prefixes: &["dms"], note: None },
    ViaService { service: "AWS Directory Service", prefixes: &["directoryservice"], note: None },
    ViaService { service: "Amazon DynamoDB", prefixes: &["dynamodb"], note: None },
    ViaService { service: "Amazon EC2 Systems Manager (SSM)", prefixes: &["ssm"], note: None },
    ViaService { service: "Amazon Elastic Block Store (Amazon EBS)", prefixes: &["ec2"], note: Some("EBS only") },
    ViaService { service: "Amazon Elastic Container Registry (Amazon ECR)", prefixes: &["ecr"], note: None },
    ViaService { service: "Amazon Elastic File System (Amazon EFS)", prefixes: &["elasticfilesystem"], note: None },
    ViaService { service: "Amazon Elastic Kubernetes Service (Amazon EKS)", prefixes: &["eks"], note: None },
    ViaService { service: "Amazon ElastiCache", prefixes: &["elasticache", "dax"], note: None },
    ViaService { service: "Amazon OpenSearch Service (OpenSearch Service)", prefixes: &["es"], note: None },
    ViaService { service: "AWS Elemental MediaTailor", prefixes: &["mediatailor"], note: None },
    ViaService { service: "Amazon FinSpace", prefixes: &["finspace"], note: None },
    ViaService { service: "Amazon Forecast", prefixes: &["forecast"], note: None },
    ViaService { service: "Amazon FSx", prefixes: &["fsx"], note: None },
    ViaService { service: "AWS Glue", prefixes: &["glue"], note: None },
    ViaService { service: "AWS Ground Station", prefixes: &["groundstation"], note: None },
    ViaService { service: "Amazon GuardDuty", prefixes: &["malware-protection"], note: None },
    ViaService { service: "Amazon HealthLake", prefixes: &["healthlake"], note: None },
    ViaService { service: "AWS IoT SiteWise", prefixes: &["iotsitewise"], note: None },
    ViaService { service: "Amazon Kendra", prefixes: &["kendra"], note: None },
    ViaService { service: "Amazon Keyspaces (for Apache Cassandra)", prefixes: &["cassandra"], note: None },
    ViaService { service: "Amazon Kinesis", prefixes: &["kinesis"], note: None },
    ViaService { service: "Amazon Kinesis Data Firehose", prefixes: &["firehose"], note: None },
    ViaService { service: "Amazon Kinesis Video Streams", prefixes: &["kinesisvideo"], note: None },
    ViaService { service: "AWS Lambda", prefixes: &["lambda"], note: None },
    ViaService { service: "Amazon Lex", prefixes: &["lex"], note: None },
    ViaService { service: "AWS License Manager", prefixes: &["license-manager"], note: None },
    ViaService { service: "Amazon Location Service", prefixes: &["geo"], note: None },
    ViaService { service: "Amazon Lookout for Equipment", prefixes: &["lookoutequipment"], note: None },
    ViaService { service: "Amazon Lookout for Metrics", prefixes: &["lookoutmetrics"], note: None },
    ViaService { service: "Amazon Lookout for Vision", prefixes: &["lookoutvision"], note: None },
    ViaService { service: "Amazon Macie", prefixes: &["macie"], note: None },
    ViaService { service: "Amazon Managed Blockchain", prefixes: &["managedblockchain"], note: None },
    ViaService { service: "Amazon Managed Streaming for Apache Kafka (Amazon MSK)", prefixes: &["kafka"], note: None },
    ViaService { service: "Amazon Managed Workflows for Apache Airflow (MWAA)", prefixes: &["airflow"], note: None },
    ViaService { service: "Amazon MemoryDB", prefixes: &["memorydb"], note: None },
    ViaService { service: "Amazon Monitron", prefixes: &["monitron"], note: None },
    ViaService { service: "Amazon MQ", prefixes: &["mq"], note: None },
    ViaService { service: "Amazon Neptune", prefixes: &["rds"], note: None },
    ViaService { service: "Amazon Nimble Studio", prefixes: &["nimble"], note: None },
    ViaService { service: "Amazon Omics", prefixes: &["omics"], note: None },
    ViaService { service: "AWS Proton", prefixes: &["proton"], note: None },
    ViaService { service: "Amazon Quantum Ledger Database (Amazon QLDB)", prefixes: &["qldb"], note: None },
    ViaService { service: "Amazon RDS Performance Insights", prefixes: &["rds"], note: None },
    ViaService { service: "Amazon Redshift", prefixes: &["redshift"], note: None },
    ViaService { service: "Amazon Redshift query editor V2", prefixes: &["sqlworkbench"], note: None },
    ViaService { service: "Amazon Redshift Serverless", prefixes: &["redshift-serverless"], note: None },
    ViaService { service: "Amazon Rekognition", prefixes: &["rekognition"], note: None },
    ViaService { service: "Amazon Relational Database Service (Amazon RDS)", prefixes: &["rds"], note: None },
    ViaService { service: "Amazon SageMaker", prefixes: &["sagemaker"], note: None },
    ViaService { service: "AWS Secrets Manager", prefixes: &["secretsmanager"], note: None },
    ViaService { service: "Amazon Simple Email Service (Amazon SES)", prefixes: &["ses"], note: None },
    ViaService { service: "Amazon Simple Notification Service (Amazon SNS)", prefixes: &["sns"], note: None },
    ViaService { service: "Amazon Simple Queue Service (Amazon SQS)", prefixes: &["sqs"], note: None },
    ViaService { service: "Amazon Simple Storage Service (Amazon S3)", prefixes: &["s3"], note: None },
    ViaService { service: "AWS Snowball", prefixes: &["importexport"], note: None },
    ViaService { service: "AWS Storage Gateway", prefixes: &["storagegateway"], note: None },
    ViaService { service: "AWS Systems Manager Incident Manager", prefixes: &["ssm-incidents"], note: None },
    ViaService { service: "AWS Systems Manager Incident Manager Contacts", prefixes: &["ssm-contacts"], note: None },
    ViaService { service: "Amazon Timestream", prefixes: &["timestream"], note: None },
    ViaService { service: "Amazon Translate", prefixes: &["translate"], note: None },
    ViaService { service: "Amazon WorkMail", prefixes: &["workmail"], note: None },
    ViaService { service: "Amazon WorkSpaces", prefixes: &["workspaces"], note: None },
    ViaService { service: "Amazon WorkSpaces Web", prefixes: &["workspaces-web"], note: None },
    ViaService { service: "AWS X-Ray", prefixes: &["xray"], note: None },
];

const ALIAS_MANAGE: Provenance =
    Provenance::Documented("https://docs.aws.amazon.com/kms/latest/developerguide/alias-manage.html");
const CONCEPTS: Provenance =
    Provenance::Documented("https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html");
const VIEWING_KEYS_CLI: Provenance =
    Provenance::Documented("https://docs.aws.amazon.com/kms/latest/developerguide/viewing-keys-cli.html");
const PARAMETER_STORE: Provenance =
    Provenance::Documented("https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html");
const SEEN: Provenance = Provenance::Observed;

/// Aliases of AWS managed keys, alphabetical.
pub const MANAGED_ALIASES: &[ManagedAlias] = &[
    ManagedAlias { name: "alias/aws/acm", service: "AWS Certificate Manager", provenance: SEEN },
    ManagedAlias { name: "alias/aws/backup", service: "AWS Backup", provenance: SEEN },
    ManagedAlias { name: "alias/aws/cloud9", service: "AWS Cloud9", provenance: SEEN },
    ManagedAlias { name: "alias/aws/codecommit", service: "AWS CodeCommit", provenance: SEEN },
    ManagedAlias { name: "alias/aws/connect", service: "Amazon Connect", provenance: SEEN },
    ManagedAlias { name: "alias/aws/dynamodb", service: "Amazon DynamoDB", provenance: ALIAS_MANAGE },
    ManagedAlias { name: "alias/aws/ebs", service: "Amazon Elastic Block Store", provenance: ALIAS_MANAGE },
    ManagedAlias { name: "alias/aws/elasticfilesystem", service: "Amazon Elastic File System", provenance: SEEN },
    ManagedAlias { name: "alias/aws/es", service: "Amazon OpenSearch Service", provenance: SEEN },
    ManagedAlias { name: "alias/aws/glue", service: "AWS Glue", provenance: SEEN },
    ManagedAlias { name: "alias/aws/kafka", service: "Amazon MSK", provenance: SEEN },
    ManagedAlias { name: "alias/aws/kinesis", service: "Amazon Kinesis Data Streams", provenance: SEEN },
    ManagedAlias { name: "alias/aws/kinesisvideo", service: "Amazon Kinesis Video Streams", provenance: SEEN },
    ManagedAlias { name: "alias/aws/lambda", service: "AWS Lambda", provenance: SEEN },
    ManagedAlias { name: "alias/aws/lex", service: "Amazon Lex", provenance: SEEN },
    ManagedAlias { name: "alias/aws/lightsail", service: "Amazon Lightsail", provenance: SEEN },
    ManagedAlias { name: "alias/aws/rds", service: "Amazon RDS", provenance: SEEN },
    ManagedAlias { name: "alias/aws/redshift", service: "Amazon Redshift", provenance: VIEWING_KEYS_CLI },
    ManagedAlias { name: "alias/aws/s3", service: "Amazon S3", provenance: CONCEPTS },
    ManagedAlias { name: "alias/aws/secretsmanager", service: "AWS Secrets Manager", provenance: SEEN },
    ManagedAlias { name: "alias/aws/sns", service: "Amazon SNS", provenance: SEEN },
    ManagedAlias { name: "alias/aws/sqs", service: "Amazon SQS", provenance: SEEN },
    ManagedAlias { name: "alias/aws/ssm", service: "AWS Systems Manager Parameter Store", provenance: PARAMETER_STORE },
    ManagedAlias { name: "alias/aws/xray", service: "AWS X-Ray", provenance: SEEN },
];
