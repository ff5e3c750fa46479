import time

from django.core.management import BaseCommand, CommandError

from clusters import demo


class Command(BaseCommand):
    help = (
        "生成演示数据（合成的集群、指标值、目标和已发布的评估记录，均标记为演示数据，名称以“演示”开头）。"
        "同一 --seed 生成相同的数据；再次运行会替换旧的演示数据；从不改动真实记录。--delete 删除全部演示数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--clusters", type=int, default=50, help="演示集群个数（默认 50）")
        parser.add_argument("--years", type=int, default=3, help="每个集群的年份数（默认 3）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--end-year", type=int, default=2024, help="最后一年（默认 2024）")
        parser.add_argument("--delete", action="store_true", help="删除全部演示数据后退出")
        parser.add_argument(
            "--without-history", action="store_true", help="不写创建历史（约快一倍，用于压力测试准备数据）"
        )

    def handle(self, *args, clusters, years, seed, end_year, delete, without_history, **options):
        started = time.monotonic()
        if delete:
            counts = demo.delete()
            self.stdout.write(self.style.SUCCESS(f"已删除演示数据：{self._describe(counts)}"))
            return
        if clusters < 1 or years < 1:
            raise CommandError("--clusters 和 --years 须为正整数。")
        try:
            counts = demo.generate(
                clusters=clusters, years=years, seed=seed, end_year=end_year, history=not without_history
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"已生成演示数据（{elapsed:.1f} 秒）：{self._describe(counts)}"))

    @staticmethod
    def _describe(counts):
        names = {
            "clusters": "集群",
            "indicator_values": "指标值",
            "targets": "目标",
            "evaluations": "评估记录",
            "scores": "维度得分",
            "transitions": "流转记录",
        }
        return "，".join(f"{names.get(key, key)} {value}" for key, value in counts.items())
