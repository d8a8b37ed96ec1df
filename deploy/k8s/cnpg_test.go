package k8s_test

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The CloudNativePG resources the manifests use, field for field as the
// operator's API (postgresql.cnpg.io/v1, CloudNativePG 1.2x, with the
// barman-cloud object store types) names them, but only the fields we set:
// decoded strictly, a misspelt or misplaced field fails the test. The
// operator's Go module is too heavy to import for a test.
type cnpgCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Instances             int    `json:"instances"`
		ImageName             string `json:"imageName"`
		PrimaryUpdateStrategy string `json:"primaryUpdateStrategy"`
		Storage               struct {
			Size         string `json:"size"`
			StorageClass string `json:"storageClass"`
		} `json:"storage"`
		Bootstrap struct {
			InitDB struct {
				Database string `json:"database"`
				Owner    string `json:"owner"`
			} `json:"initdb"`
		} `json:"bootstrap"`
		PostgreSQL struct {
			Parameters map[string]string `json:"parameters"`
		} `json:"postgresql"`
		Resources corev1.ResourceRequirements `json:"resources"`
		Affinity  struct {
			EnablePodAntiAffinity *bool  `json:"enablePodAntiAffinity"`
			TopologyKey           string `json:"topologyKey"`
		} `json:"affinity"`
		Monitoring struct {
			EnablePodMonitor bool `json:"enablePodMonitor"`
		} `json:"monitoring"`
		Backup *struct {
			RetentionPolicy   string             `json:"retentionPolicy"`
			BarmanObjectStore *barmanObjectStore `json:"barmanObjectStore"`
		} `json:"backup"`
	} `json:"spec"`
}

type barmanObjectStore struct {
	DestinationPath string `json:"destinationPath"`
	EndpointURL     string `json:"endpointURL"`
	S3Credentials   *struct {
		AccessKeyID     secretKeySelector `json:"accessKeyId"`
		SecretAccessKey secretKeySelector `json:"secretAccessKey"`
	} `json:"s3Credentials"`
	Wal *struct {
		Compression string `json:"compression"`
		MaxParallel int    `json:"maxParallel"`
	} `json:"wal"`
	Data *struct {
		Compression string `json:"compression"`
	} `json:"data"`
}

type secretKeySelector struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type cnpgScheduledBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Schedule             string `json:"schedule"`
		Immediate            *bool  `json:"immediate"`
		Suspend              *bool  `json:"suspend"`
		BackupOwnerReference string `json:"backupOwnerReference"`
		Method               string `json:"method"`
		Cluster              struct {
			Name string `json:"name"`
		} `json:"cluster"`
	} `json:"spec"`
}
