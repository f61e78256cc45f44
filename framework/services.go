package framework

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/cache"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/scheduler"
	"github.com/portico-dev/portico/framework/urlreader"
)

// Infrastructure service refs.
var (
	RootDatabaseService = NewServiceRef[*database.Manager]("core.rootDatabase", ScopeRoot)
	DatabaseService     = NewServiceRef[*database.DB]("core.database", ScopePlugin)
	SchedulerService    = NewServiceRef[*scheduler.Scheduler]("core.scheduler", ScopePlugin)
	URLReaderService    = NewServiceRef[*urlreader.Reader]("core.urlReader", ScopeRoot)
	RootCacheService    = NewServiceRef[cache.Store]("core.rootCache", ScopeRoot)
	CacheService        = NewServiceRef[cache.Store]("core.cache", ScopePlugin)
)

// DefaultDataDir is where Portico keeps its embedded database and caches by default.
const DefaultDataDir = ".portico"

// DataDir returns backend.workingDirectory or the default ./.portico.
func DataDir(cfg *config.Config) (string, error) {
	dir, ok, err := cfg.OptionalString("backend.workingDirectory")
	if err != nil || !ok {
		return DefaultDataDir, err
	}
	return dir, nil
}

// ExamplesDir is where the catalog extracts the bundled example catalog when Portico does not
// run from a checkout: <data dir>/examples. It is the one part of the data directory the URL
// reader may read (the binary writes it; the catalog reads it through file locations).
func ExamplesDir(cfg *config.Config) (string, error) {
	dir, err := DataDir(cfg)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "examples"), nil
}

func (b *Backend) infraFactories() []ServiceFactory {
	return []ServiceFactory{
		NewServiceFactory(RootDatabaseService, func(ctx context.Context, d *Deps) (*database.Manager, error) {
			cfg, log, lc, err := rootBasics(ctx, d)
			if err != nil {
				return nil, err
			}
			opts, err := DatabaseOptionsFromConfig(cfg)
			if err != nil {
				return nil, err
			}
			m, err := database.NewManager(opts, log.With("service", "database"))
			if err != nil {
				return nil, err
			}
			// Fail at start, in one line, when PostgreSQL is unreachable; create ./.portico.
			if err := m.Ping(ctx); err != nil {
				return nil, fmt.Errorf("database: %w", err)
			}
			minFree, err := minFreeDisk(cfg)
			if err != nil {
				return nil, err
			}
			b.health.AddReadinessCheck("database", func(ctx context.Context) error { return m.Check(ctx, minFree) })
			lc.AddShutdownHook(func(context.Context) error { return m.Close() })
			return m, nil
		}),
		NewServiceFactory(DatabaseService, func(ctx context.Context, d *Deps) (*database.DB, error) {
			r := Resolve(ctx, d)
			m := Need(r, RootDatabaseService)
			info := Need(r, PluginInfoService)
			if err := r.Err(); err != nil {
				return nil, err
			}
			return OpenPluginDatabase(ctx, m, info)
		}),
		NewServiceFactory(SchedulerService, func(ctx context.Context, d *Deps) (*scheduler.Scheduler, error) {
			r := Resolve(ctx, d)
			db := Need(r, DatabaseService)
			log := Need(r, LoggerService)
			lc := Need(r, LifecycleService)
			router := Need(r, HTTPRouterService)
			cfg := Need(r, RootConfigService)
			if err := r.Err(); err != nil {
				return nil, err
			}
			instance, err := InstanceID(cfg)
			if err != nil {
				return nil, err
			}
			workerID := "" // random: nothing survives a restart to reclaim
			if instance != "" {
				// One scheduler per plugin; in SQLite's one-file mode they share one table.
				workerID = instance + "#" + d.PluginID()
			}
			s, err := scheduler.New(ctx, scheduler.Options{DB: db, Logger: log.With("service", "scheduler"), WorkerID: workerID})
			if err != nil {
				return nil, fmt.Errorf("scheduler: %w", err)
			}
			lc.Go("scheduler", s.Run)
			mountSchedulerRoutes(router, s, log)
			return s, nil
		}),
		NewServiceFactory(URLReaderService, func(ctx context.Context, d *Deps) (*urlreader.Reader, error) {
			cfg, log, _, err := rootBasics(ctx, d)
			if err != nil {
				return nil, err
			}
			opts, err := URLReaderOptionsFromConfig(cfg)
			if err != nil {
				return nil, err
			}
			opts.Logger = log.With("service", "urlReader")
			return urlreader.New(opts)
		}),
		NewServiceFactory(RootCacheService, func(ctx context.Context, d *Deps) (cache.Store, error) {
			cfg, _, lc, err := rootBasics(ctx, d)
			if err != nil {
				return nil, err
			}
			return CacheFromConfig(ctx, cfg, lc)
		}),
		NewServiceFactory(CacheService, func(ctx context.Context, d *Deps) (cache.Store, error) {
			root, err := Use(ctx, d, RootCacheService)
			if err != nil {
				return nil, err
			}
			return cache.WithNamespace(root, d.PluginID()), nil
		}),
	}
}

func rootBasics(ctx context.Context, d *Deps) (*config.Config, *slog.Logger, Lifecycle, error) {
	r := Resolve(ctx, d)
	cfg := Need(r, RootConfigService)
	log := Need(r, RootLoggerService)
	lc := Need(r, RootLifecycleService)
	return cfg, log, lc, r.Err()
}

// OpenPluginDatabase opens a plugin's database and applies the plugin's migrations.
func OpenPluginDatabase(ctx context.Context, m *database.Manager, p Plugin) (*database.DB, error) {
	db, err := m.ForPlugin(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if p.Migrations != nil {
		if err := db.Migrate(ctx, p.Migrations); err != nil {
			return nil, fmt.Errorf("migrate plugin %s: %w", p.ID, err)
		}
	}
	return db, nil
}

// DatabaseOptionsFromConfig reads backend.database. With no such key Portico uses SQLite
// files under ./.portico (Backstage would use a throw-away in-memory database).
func DatabaseOptionsFromConfig(cfg *config.Config) (database.Options, error) {
	opts := database.Options{Client: "sqlite", EnsureExists: true}
	dbCfg, ok, err := cfg.OptionalConfig("backend.database")
	if err != nil {
		return opts, err
	}
	if !ok {
		dir, err := DataDir(cfg)
		opts.Directory = dir
		return opts, err
	}
	if err := readDatabaseOptions(dbCfg, &opts); err != nil {
		return opts, err
	}
	if opts.Client == database.Client("sqlite") && !opts.Memory && opts.Directory == "" && opts.Filename == "" {
		if opts.Directory, err = DataDir(cfg); err != nil {
			return opts, err
		}
	}
	if opts.Prefix, _, err = dbCfg.OptionalString("prefix"); err != nil {
		return opts, err
	}
	if mode, ok, err := dbCfg.OptionalString("pluginDivisionMode"); err != nil {
		return opts, err
	} else if ok {
		if mode != "database" && mode != "schema" {
			return opts, configError(dbCfg, "pluginDivisionMode", "want database or schema, got %q", mode)
		}
		opts.DivisionMode = mode
	}
	if n, ok, err := dbCfg.OptionalInt("knexConfig.pool.max"); err != nil {
		return opts, err
	} else if ok {
		opts.MaxOpenConns = n
	}
	plugins, ok, err := dbCfg.OptionalConfig("plugin")
	if err != nil || !ok {
		return opts, err
	}
	for _, id := range plugins.Keys() {
		pc, err := plugins.Config(id)
		if err != nil {
			return opts, err
		}
		po := database.Options{}
		if err := readDatabaseOptions(pc, &po); err != nil {
			return opts, err
		}
		if opts.PerPlugin == nil {
			opts.PerPlugin = map[string]database.Options{}
		}
		opts.PerPlugin[id] = po
	}
	return opts, nil
}

// readDatabaseOptions reads client, connection, ensureExists and skipMigrations of one level
// (backend.database or backend.database.plugin.<id>).
func readDatabaseOptions(c *config.Config, opts *database.Options) error {
	if client, ok, err := c.OptionalString("client"); err != nil {
		return err
	} else if ok {
		cl, err := database.ParseClient(client)
		if err != nil {
			return configError(c, "client", "%v", err)
		}
		opts.Client = cl
	}
	if v, ok, err := c.OptionalBool("ensureExists"); err != nil {
		return err
	} else if ok {
		opts.EnsureExists = v
	}
	if v, ok, err := c.OptionalBool("skipMigrations"); err != nil {
		return err
	} else if ok {
		opts.SkipMigrations = v
	}
	conn, ok := c.Get("connection")
	if !ok {
		return nil
	}
	switch cv := conn.(type) {
	case string:
		if opts.Client == database.Client("sqlite") || (opts.Client == "" && (cv == ":memory:")) {
			if cv == ":memory:" {
				opts.Memory = true
			} else {
				opts.Filename = cv
			}
			return nil
		}
		opts.ConnString = cv
	case map[string]any:
		if opts.Client != database.Client("pg") {
			if dir, ok, err := c.OptionalString("connection.directory"); err != nil {
				return err
			} else if ok {
				opts.Directory = dir
			}
			if f, ok, err := c.OptionalString("connection.filename"); err != nil {
				return err
			} else if ok {
				if f == ":memory:" {
					opts.Memory = true
				} else {
					opts.Filename = f
				}
			}
			return nil
		}
		s, err := pgConnString(c)
		if err != nil {
			return err
		}
		opts.ConnString = s
	default:
		return configError(c, "connection", "want a connection string or an object")
	}
	return nil
}

// pgConnString builds a postgres URL from Backstage's connection object.
func pgConnString(c *config.Config) (string, error) {
	u := url.URL{Scheme: "postgres"}
	host, _, err := c.OptionalString("connection.host")
	if err != nil {
		return "", err
	}
	if host == "" {
		host = "localhost"
	}
	port := "5432"
	if p, ok, err := c.OptionalInt("connection.port"); err != nil {
		return "", err
	} else if ok {
		port = strconv.Itoa(p)
	}
	u.Host = host + ":" + port
	user, _, err := c.OptionalString("connection.user")
	if err != nil {
		return "", err
	}
	pass, hasPass, err := c.OptionalString("connection.password")
	if err != nil {
		return "", err
	}
	if hasPass {
		u.User = url.UserPassword(user, pass)
	} else if user != "" {
		u.User = url.User(user)
	}
	if dbName, ok, err := c.OptionalString("connection.database"); err != nil {
		return "", err
	} else if ok {
		u.Path = "/" + dbName
	}
	q := url.Values{}
	if v, ok := c.Get("connection.ssl"); ok {
		switch s := v.(type) {
		case bool:
			if s {
				q.Set("sslmode", "require")
			} else {
				q.Set("sslmode", "disable")
			}
		case map[string]any:
			if rej, ok := s["rejectUnauthorized"].(bool); ok && !rej {
				q.Set("sslmode", "require")
			} else {
				q.Set("sslmode", "verify-full")
			}
		}
	} else {
		q.Set("sslmode", "prefer")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// readingConfig is backend.reading and integrations as app-config writes them.
type readingConfig struct {
	Backend struct {
		Reading struct {
			Allow []struct {
				Host  string   `config:"host,required"`
				Paths []string `config:"paths"`
			} `config:"allow"`
			LocalRoots []string `config:"localRoots"`
		} `config:"reading"`
	} `config:"backend"`
	Integrations struct {
		GitHub []struct {
			Host       string `config:"host"`
			APIBaseURL string `config:"apiBaseUrl"`
			RawBaseURL string `config:"rawBaseUrl"`
			Token      string `config:"token"`
		} `config:"github"`
		GitLab []struct {
			Host       string `config:"host"`
			APIBaseURL string `config:"apiBaseUrl"`
			BaseURL    string `config:"baseUrl"`
			Token      string `config:"token"`
		} `config:"gitlab"`
		// Basic-auth credentials for plain git hosts (git+https reads, the scaffolder's
		// publish:git).
		Git []struct {
			Host     string `config:"host,required"`
			Username string `config:"username"`
			Token    string `config:"token"`
		} `config:"git"`
	} `config:"integrations"`
}

// URLReaderOptionsFromConfig reads backend.reading.allow and integrations.
func URLReaderOptionsFromConfig(cfg *config.Config) (urlreader.Options, error) {
	var opts urlreader.Options
	var rc readingConfig
	// Local files (file locations, file:// and git+file:// URLs) are readable only under these
	// directories: by default the working directory the portal was started in. The data
	// directory (databases, keys, the git cache) is never readable, whatever the roots say,
	// except the example catalog extracted into it.
	rc.Backend.Reading.LocalRoots = []string{"."}
	if err := cfg.Decode("", &rc); err != nil {
		return opts, err
	}
	for _, a := range rc.Backend.Reading.Allow {
		opts.Allow = append(opts.Allow, urlreader.AllowRule{Host: a.Host, Paths: a.Paths})
	}
	for _, g := range rc.Integrations.GitHub {
		opts.Integrations.GitHub = append(opts.Integrations.GitHub, urlreader.GitHubIntegration{
			Host: cmp.Or(g.Host, "github.com"), APIBaseURL: g.APIBaseURL, RawBaseURL: g.RawBaseURL, Token: g.Token})
	}
	for _, g := range rc.Integrations.GitLab {
		opts.Integrations.GitLab = append(opts.Integrations.GitLab, urlreader.GitLabIntegration{
			Host: cmp.Or(g.Host, "gitlab.com"), APIBaseURL: g.APIBaseURL, BaseURL: g.BaseURL, Token: g.Token})
	}
	for _, g := range rc.Integrations.Git {
		opts.Integrations.Git = append(opts.Integrations.Git, urlreader.GitIntegration{Host: g.Host, Username: g.Username, Token: g.Token})
	}
	roots := rc.Backend.Reading.LocalRoots
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return opts, configError(cfg, "backend.reading.localRoots", "%v", err)
		}
		opts.LocalRoots = append(opts.LocalRoots, abs)
	}
	dir, err := DataDir(cfg)
	if err != nil {
		return opts, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return opts, configError(cfg, "backend.workingDirectory", "%v", err)
	}
	opts.DeniedDirs = []string{dir}
	opts.DeniedExceptions = []string{filepath.Join(dir, "examples")}
	opts.CacheDir = filepath.Join(dir, "cache", "git")
	return opts, nil
}

// CacheFromConfig builds the root cache from backend.cache (memory by default, or redis).
func CacheFromConfig(ctx context.Context, cfg *config.Config, lc Lifecycle) (cache.Store, error) {
	store, _, err := cfg.OptionalString("backend.cache.store")
	if err != nil {
		return nil, err
	}
	ttl, _, err := cfg.OptionalDuration("backend.cache.defaultTtl")
	if err != nil {
		return nil, err
	}
	switch store {
	case "", "memory":
		return cache.NewMemory(cache.MemoryOptions{DefaultTTL: ttl, MaxBytes: 256 << 20}), nil
	case "redis", "valkey":
		conn, err := cfg.String("backend.cache.connection")
		if err != nil {
			return nil, err
		}
		r, err := cache.NewRedis(ctx, cache.RedisOptions{URL: conn, DefaultTTL: ttl, KeyPrefix: "portico:"})
		if err != nil {
			return nil, configError(cfg, "backend.cache.connection", "%v", err)
		}
		lc.AddShutdownHook(func(context.Context) error { return r.Close() })
		return r, nil
	default:
		return nil, configError(cfg, "backend.cache.store", "unsupported cache store %q (want memory or redis)", store)
	}
}
