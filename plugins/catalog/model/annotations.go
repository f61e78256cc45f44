package model

// Annotations the catalog writes itself. Authors should not set them by hand.
const (
	// AnnotationManagedByLocation is the location ref of the location that read the entity.
	AnnotationManagedByLocation = "backstage.io/managed-by-location"
	// AnnotationManagedByOriginLocation is the location ref of the registered root location
	// whose processing led to the entity.
	AnnotationManagedByOriginLocation = "backstage.io/managed-by-origin-location"
	// AnnotationSourceLocation is a url: location ref of the folder holding the entity's file.
	AnnotationSourceLocation = "backstage.io/source-location"
	// AnnotationViewURL is a URL where the entity's descriptor can be viewed.
	AnnotationViewURL = "backstage.io/view-url"
	// AnnotationEditURL is a URL where the entity's descriptor can be edited.
	AnnotationEditURL = "backstage.io/edit-url"
	// AnnotationOrphan is "true" when no provider or parent entity references the entity any more.
	AnnotationOrphan = "backstage.io/orphan"
)

// Annotations authors write, with meanings defined by Backstage and its plugins.
const (
	AnnotationTechDocsRef             = "backstage.io/techdocs-ref"
	AnnotationTechDocsEntity          = "backstage.io/techdocs-entity"
	AnnotationSourceTemplate          = "backstage.io/source-template"
	AnnotationTimeSaved               = "backstage.io/time-saved"
	AnnotationCodeCoverage            = "backstage.io/code-coverage"
	AnnotationADRLocation             = "backstage.io/adr-location"
	AnnotationKubernetesID            = "backstage.io/kubernetes-id"
	AnnotationKubernetesLabelSelector = "backstage.io/kubernetes-label-selector"
	AnnotationKubernetesNamespace     = "backstage.io/kubernetes-namespace"
	AnnotationKubernetesCluster       = "backstage.io/kubernetes-cluster"
	AnnotationLDAPRDN                 = "backstage.io/ldap-rdn"
	AnnotationLDAPUUID                = "backstage.io/ldap-uuid"
	AnnotationLDAPDN                  = "backstage.io/ldap-dn"
	AnnotationMSGraphTenantID         = "graph.microsoft.com/tenant-id"
	AnnotationMSGraphGroupID          = "graph.microsoft.com/group-id"
	AnnotationMSGraphUserID           = "graph.microsoft.com/user-id"
	AnnotationGitHubProjectSlug       = "github.com/project-slug"
	AnnotationGitHubTeamSlug          = "github.com/team-slug"
	AnnotationGitHubUserLogin         = "github.com/user-login"
	AnnotationGitLabProjectSlug       = "gitlab.com/project-slug"
	AnnotationGitLabProjectID         = "gitlab.com/project-id"
	AnnotationAzureDevOpsProjectRepo  = "dev.azure.com/project-repo"
	AnnotationJenkinsJobFullName      = "jenkins.io/job-full-name"
	AnnotationCircleCIProjectSlug     = "circleci.com/project-slug"
	AnnotationSentryProjectSlug       = "sentry.io/project-slug"
	AnnotationSonarQubeProjectKey     = "sonarqube.org/project-key"
	AnnotationPagerDutyIntegrationKey = "pagerduty.com/integration-key"
	AnnotationPagerDutyServiceID      = "pagerduty.com/service-id"
)

// Deprecated annotations that still appear in older descriptors.
const (
	AnnotationGitHubActionsID      = "backstage.io/github-actions-id"
	AnnotationDefinitionAtLocation = "backstage.io/definition-at-location"
)
